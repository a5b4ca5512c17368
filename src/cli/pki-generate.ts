// Certificate generation for `ensurePki`. Loaded lazily: @peculiar/x509 costs tens of milliseconds
// to evaluate, and a restart that reuses existing files must not pay for it.
import './reflect-metadata-shim.ts';
import { KeyObject, createPrivateKey, randomBytes, type webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loading: Promise<typeof X509> | undefined;
/**
 * @peculiar/x509, imported only after the shim above has run. A static import would not
 * guarantee that: a bundler that keeps the package external hoists its import above the shim.
 */
function loadX509(): Promise<typeof X509> {
  return (loading ??= import('@peculiar/x509'));
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Back-dated so that a client whose clock runs a little behind still accepts a fresh cert. */
const BACKDATE_MS = 60 * 60 * 1000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface ServingNames {
  dns: string[];
  ips: string[];
}

/** A self-signed ECDSA P-256 CA that may sign serving certificates (path length 0). */
export async function generateCa(opts: { now: Date; validDays: number }): Promise<PemPair> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=k8ts-ca@${Math.floor(opts.now.getTime() / 1000)}`,
    notBefore: new Date(opts.now.getTime() - BACKDATE_MS),
    notAfter: addDays(opts.now, opts.validDays),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportKey(keys.privateKey) };
}

/** A serverAuth certificate for `names`, signed by the given CA. */
export async function generateServingCert(opts: {
  ca: PemPair;
  names: ServingNames;
  now: Date;
  validDays: number;
}): Promise<PemPair> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(opts.ca.certPem);
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(opts.ca.keyPem).export({ type: 'pkcs8', format: 'der' }),
    EC,
    false,
    ['sign'],
  );
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const sans: X509.JsonGeneralName[] = [
    ...opts.names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...opts.names.ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=k8ts-apiserver`,
    // The CA's own encoded name, so that clients matching issuer to subject byte for byte
    // (Go's x509 pool does) find the CA.
    issuer: caCert.subjectName,
    notBefore: new Date(opts.now.getTime() - BACKDATE_MS),
    notAfter: addDays(opts.now, opts.validDays),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportKey(keys.privateKey) };
}

/** PKCS#8 PEM ("PRIVATE KEY"), which Node's tls and Go's crypto/tls both read. */
function exportKey(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * 16 random bytes, first byte in 1..127: RFC 5280 serials are positive (Go rejects negative ones)
 * and a non-zero first byte keeps the DER integer minimal.
 */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 24 * 60 * 60 * 1000);
}
