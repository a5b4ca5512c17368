// The pod-template hash a Deployment (and a DaemonSet) names its children by
// (pkg/controller/controller_utils.go ComputeHash): FNV-1a 32 over the template, then the
// collision count as 8 little-endian bytes (a uint32 and four zero bytes), the sum rendered in
// decimal and mapped through rand.SafeEncodeString.
//
// Upstream feeds the hasher a Go struct dump of the typed PodTemplateSpec (spew / dump.ForHash),
// which depends on the Go type layout of one release; here the template's Go-style JSON (sorted
// keys, HTML-safe strings) is hashed instead. Values therefore differ from upstream's, but have
// its form (up to 10 characters of `bcdfghjklmnpqrstvwxz2456789`), are stable for a stored
// template, and change with the template and the collision count as upstream's do.
import { goJson, safeEncode } from '../statefulset/revisions.ts';

/** FNV-1a 32-bit, as Go's hash/fnv New32a. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = (h ^ b) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** ComputeHash: the template's hash, salted with the collision count when there is one. */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(Buffer.from(goJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const salt = new Uint8Array(8);
    new DataView(salt.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(salt, h);
  }
  return safeEncode(String(h));
}
