// The cluster's PKI: a CA, a serving certificate for the apiserver, the service account signing
// key and the admin bearer token, kept in the data dir. The first start generates them; later
// starts read and check them with node:crypto only (a few milliseconds) and regenerate just what
// is missing, broken or expiring.
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { PemPair, ServingNames } from './pki-generate.ts';
import { generateServiceAccountKey } from '../auth/serviceaccount/keys.ts';

export interface Pki {
  caCertPem: string;
  /** Serving certificate for the apiserver, signed by the CA. */
  certPem: string;
  /** Serving key (PKCS#8 PEM). */
  keyPem: string;
  /** Admin bearer token. */
  token: string;
  /** Signing key of service account tokens (PKCS#8 PEM, `pki/sa.key`). */
  serviceAccountKeyPem: string;
}

export interface EnsurePkiOptions {
  /** Current time; defaults to the wall clock. */
  now?: Date;
  /** Names added to the serving cert's SANs (IP literals become IP SANs). */
  extraSans?: string[];
}

const CA_DAYS = 3650;
const SERVING_DAYS = 365;
/** A serving cert this close to expiry is replaced at start. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
/** A CA this close to expiry is replaced (and with it the serving cert). */
const CA_RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

/** Paths of the PKI files inside a data dir. */
export function pkiPaths(dataDir: string) {
  const pki = join(dataDir, 'pki');
  return {
    dir: pki,
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    cert: join(pki, 'server.crt'),
    key: join(pki, 'server.key'),
    token: join(dataDir, 'token'),
    serviceAccountKey: join(pki, 'sa.key'),
  };
}

/**
 * Names the serving certificate covers: loopback, this host, the in-cluster names of the
 * `kubernetes` Service, and `extraSans`.
 */
export function servingNames(extraSans: string[] = []): ServingNames {
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  const ips = new Set(['127.0.0.1', '::1']);
  const host = hostname().toLowerCase();
  if (host) dns.add(host);
  for (const name of extraSans) (isIP(name) ? ips : dns).add(name);
  return { dns: [...dns], ips: [...ips] };
}

/**
 * Ensures `<dataDir>/pki/{ca.crt,ca.key,server.crt,server.key}` and `<dataDir>/token` exist and
 * are usable, and returns their contents. Keys and token are written with mode 0600, atomically
 * (write then rename), so a crash leaves either the old file or the new one.
 *
 * Reused as they are when valid. The CA is replaced when missing, unreadable, not matching its
 * key or about to expire; the serving cert when any of that holds, when the CA did not sign it,
 * or when it lacks one of `servingNames(extraSans)`. The token is kept once it exists.
 */
export async function ensurePki(dataDir: string, opts: EnsurePkiOptions = {}): Promise<Pki> {
  const now = opts.now ?? new Date();
  const paths = pkiPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const [caCertPem, caKeyPem, certPem, keyPem, token] = await Promise.all(
    [paths.caCert, paths.caKey, paths.cert, paths.key, paths.token].map(readOptional),
  );
  const names = servingNames(opts.extraSans);

  let ca: PemPair | undefined = caCertPem && caKeyPem ? { certPem: caCertPem, keyPem: caKeyPem } : undefined;
  const caX509 = ca && checkPair(ca, now, CA_RENEW_BEFORE_MS);
  let generated = !caX509;
  if (!caX509) {
    const gen = await import('./pki-generate.ts');
    ca = await gen.generateCa({ now, validDays: CA_DAYS });
    await writeAtomic(paths.caKey, ca.keyPem, 0o600);
    await writeAtomic(paths.caCert, ca.certPem, 0o644);
  }

  let serving: PemPair | undefined = certPem && keyPem ? { certPem, keyPem } : undefined;
  if (generated || !serving || !servingOk(serving, caX509!, names, now)) {
    const gen = await import('./pki-generate.ts');
    serving = await gen.generateServingCert({ ca: ca!, names, now, validDays: SERVING_DAYS });
    await writeAtomic(paths.key, serving.keyPem, 0o600);
    await writeAtomic(paths.cert, serving.certPem, 0o644);
  }

  const serviceAccountKeyPem = await ensureServiceAccountKey(paths.serviceAccountKey);

  let tok = token?.trim();
  if (!tok) {
    tok = randomBytes(32).toString('base64url');
    await writeAtomic(paths.token, tok + '\n', 0o600);
  }
  return { caCertPem: ca!.certPem, certPem: serving.certPem, keyPem: serving.keyPem, token: tok, serviceAccountKeyPem };
}

/**
 * The service account signing key at `path`, made when missing or unreadable. Kept however old:
 * replacing it would invalidate every token pods hold.
 */
async function ensureServiceAccountKey(path: string): Promise<string> {
  const existing = await readOptional(path);
  if (existing) {
    try {
      createPrivateKey(existing);
      return existing;
    } catch {
      // Unreadable: replaced below.
    }
  }
  const pem = generateServiceAccountKey();
  await writeAtomic(path, pem, 0o600);
  return pem;
}

/** The parsed certificate when it parses, matches its key and stays valid past `now + margin`. */
function checkPair(pair: PemPair, now: Date, marginMs: number): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(pair.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) return undefined;
    if (Date.parse(cert.validFrom) > now.getTime()) return undefined;
    if (Date.parse(cert.validTo) - marginMs <= now.getTime()) return undefined;
    return cert;
  } catch {
    return undefined;
  }
}

function servingOk(pair: PemPair, ca: X509Certificate, names: ServingNames, now: Date): boolean {
  const cert = checkPair(pair, now, RENEW_BEFORE_MS);
  if (!cert) return false;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  // checkHost/checkIP match SANs only (subject: 'never'), normalising IPv6 forms.
  return (
    names.dns.every((n) => cert.checkHost(n, { subject: 'never', wildcards: false }) !== undefined) &&
    names.ips.every((ip) => cert.checkIP(ip) !== undefined)
  );
}

/** A file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Failed to read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes a temp file and renames it over `path`, so a crash leaves the old file or the new one. */
export async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}
