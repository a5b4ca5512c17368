// The cluster's shared secrets in its datastore, as k3s keeps them (its "bootstrap data"): the
// CA and signing keys every server of one cluster must have alike, sealed with the cluster token
// so the store alone does not give them away. The first server publishes its files; a server
// joining the same datastore with the token writes them into its own data dir before its PKI is
// checked, so its serving certificate is issued by the same CA and any server's kubeconfig and
// tokens work against every server.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isStorageError, type Backend } from '../store/backend.ts';
import { readOptional, writeAtomic } from './pki.ts';

/** Outside /registry/, so no API list or watch ever shows it. */
export const CLUSTER_SECRETS_KEY = '/k8ts/cluster-secrets';

/** Data-dir files every server of a cluster shares (what exists of them). */
export const SHARED_FILES = ['pki/ca.crt', 'pki/ca.key', 'pki/sa.key'];

interface Sealed {
  version: 1;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * The AES key for a token: PBKDF2-SHA256 with 4,096 rounds, as k3s derives its bootstrap data's
 * key. A generated token is 256 random bits, so a slow KDF would add nothing but start-up time
 * (scrypt's defaults cost ~80 ms per start); the rounds still slow guessing of a chosen one.
 */
function sealingKey(token: string, salt: Buffer): Buffer {
  return pbkdf2Sync(token, salt, 4096, 32, 'sha256');
}

export function seal(files: Record<string, string>, token: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(token, salt), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(files), 'utf8'), cipher.final()]);
  const sealed: Sealed = { version: 1, salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(sealed);
}

/** The files sealed in `value`; throws a message a person can act on when the token is wrong. */
export function unseal(value: string, token: string): Record<string, string> {
  let sealed: Sealed;
  try {
    sealed = JSON.parse(value) as Sealed;
  } catch {
    throw new Error(`the datastore's cluster secrets (${CLUSTER_SECRETS_KEY}) are not readable: the key holds something else`);
  }
  if (sealed.version !== 1) throw new Error(`the datastore's cluster secrets are in format ${String(sealed.version)}, which this k8ts does not know: upgrade k8ts`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(token, Buffer.from(sealed.salt, 'base64')), Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Record<string, string>;
  } catch {
    throw new Error("the token does not match this cluster's: pass --token with the contents of <data-dir>/token of a server of this cluster");
  }
}

/**
 * When the datastore holds a cluster, makes this data dir hold its shared files and token and
 * returns true; false when the datastore has no cluster yet. Without `token`, the data dir's own
 * token file (a server restarting) opens them.
 */
export async function adoptClusterSecrets(backend: Backend, dataDir: string, token: string | undefined): Promise<boolean> {
  const kv = await backend.get(CLUSTER_SECRETS_KEY);
  if (!kv) {
    // A first server may still be given its token (k3s --token): ensurePki keeps an existing one.
    if (token) await writeIfChanged(join(dataDir, 'token'), `${token}\n`, 0o600);
    return false;
  }
  const tok = token ?? (await readOptional(join(dataDir, 'token')))?.trim();
  if (!tok) throw new Error('this datastore already holds a cluster: pass --token with the contents of <data-dir>/token of one of its servers');
  const files = unseal(kv.value, tok);
  for (const [name, content] of Object.entries(files)) {
    if (!SHARED_FILES.includes(name)) continue;
    await writeIfChanged(join(dataDir, name), content, name.endsWith('.key') ? 0o600 : 0o644);
  }
  await writeIfChanged(join(dataDir, 'token'), `${tok}\n`, 0o600);
  return true;
}

/**
 * Seals this data dir's shared files into the datastore unless a cluster is there already.
 * False when another server published first (the caller adopts theirs).
 */
export async function publishClusterSecrets(backend: Backend, dataDir: string, token: string): Promise<boolean> {
  const files: Record<string, string> = {};
  for (const name of SHARED_FILES) {
    const content = await readOptional(join(dataDir, name));
    if (content !== undefined) files[name] = content;
  }
  try {
    await backend.create(CLUSTER_SECRETS_KEY, seal(files, token));
    return true;
  } catch (e) {
    if (isStorageError(e, 'KeyExists')) return false;
    throw e;
  }
}

async function writeIfChanged(path: string, content: string, mode: number): Promise<void> {
  if ((await readOptional(path)) === content) return;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeAtomic(path, content, mode);
}
