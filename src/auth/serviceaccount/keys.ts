// The cluster's service-account signing key (kube-apiserver --service-account-signing-key-file
// and --service-account-key-file). Every API server of a cluster signs with the same private key
// and verifies with its public half, so the key is an input, kept in the data dir and shared
// through the datastore like the CA. Key IDs as upstream (pkg/serviceaccount/jwt.go
// keyIDFromPublicKey): the unpadded base64url SHA-256 of the public key's DER (PKIX) encoding.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * A new signing key as PKCS#8 PEM. ECDSA P-256 (ES256), as the rest of the cluster's PKI: it is
 * made in well under a millisecond where a 2048-bit RSA key takes a fifth of a second, and
 * upstream accepts either kind.
 */
export function generateServiceAccountKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The JWS algorithm a key signs with: RS256 for RSA, ES256/384/512 for the NIST curves. */
export function signingAlgorithm(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new Error(`Unsupported service account key: curve ${curve ?? 'unknown'} (use P-256, P-384 or P-521)`);
  }
  throw new Error(`Unsupported service account key: type ${key.asymmetricKeyType ?? 'unknown'} (use RSA or ECDSA)`);
}

/** Upstream's `kid`: it names the key without revealing it, so verifiers can pick among several. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** The private key in `pem`, with a message naming what is wrong when it is not one. */
export function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new Error(`Failed to read the service account signing key: ${(e as Error).message}`, { cause: e });
  }
}

/** A public key from a public key PEM, a private key PEM (its public half) or a certificate. */
export function parsePublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (e) {
    throw new Error(`Failed to read a service account verification key: ${(e as Error).message}`, { cause: e });
  }
}
