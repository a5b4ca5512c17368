// Join tokens for node agents in the format and storage of upstream's bootstrap tokens
// (kubeadm `token create`, k8s.io/cluster-bootstrap): `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}),
// kept as Secret kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token, with an
// optional expiration. The cluster token itself also lets an agent join (k3s' model).
import { randomInt } from 'node:crypto';
import { sameSecret } from '../auth/authenticate.ts';
import type { KubeObject } from '../api/meta/types.ts';

export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_PREFIX = 'bootstrap-token-';
const FORMAT = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function generateJoinToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${pick(6)}.${pick(16)}`;
}

/** The id of a token in bootstrap-token form, or undefined. */
export function joinTokenId(token: string): string | undefined {
  return FORMAT.exec(token)?.[1];
}

/** The Secret that stores `token` (expiring at `expires`, ms since the epoch, when given). */
export function joinTokenSecret(token: string, opts: { expires?: number; description?: string } = {}): KubeObject {
  const m = FORMAT.exec(token);
  if (!m) throw new Error(`"${token}" is not a join token: it must look like abcdef.0123456789abcdef`);
  const data: Record<string, string> = { 'token-id': m[1]!, 'token-secret': m[2]!, 'usage-bootstrap-authentication': 'true' };
  if (opts.expires !== undefined) data.expiration = new Date(opts.expires).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (opts.description) data.description = opts.description;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_PREFIX}${m[1]}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** Whether `token` is the one `secret` stores, unexpired at `now`. */
export function secretAdmits(secret: KubeObject | undefined, token: string, now: number): boolean {
  const m = FORMAT.exec(token);
  if (!m || !secret || (secret as { type?: string }).type !== BOOTSTRAP_TOKEN_TYPE) return false;
  const data = ((secret as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
  const field = (k: string) => (data[k] === undefined ? undefined : Buffer.from(data[k]!, 'base64').toString('utf8'));
  if (field('token-id') !== m[1] || field('usage-bootstrap-authentication') !== 'true') return false;
  const expiration = field('expiration');
  if (expiration !== undefined && !(Date.parse(expiration) > now)) return false;
  return sameSecret(m[2]!, field('token-secret') ?? '');
}
