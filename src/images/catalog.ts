// The store's records and the pure rules over them: which image a reference means, and what a
// load or pull of new images does to the others' names (a name belongs to one image, and moves
// to the image loaded last, as in docker and containerd).
import { asImageId, normalizeImage } from './reference.ts';
import type { ImageConfig } from './types.ts';

/** One image's metadata file (`meta/<hex>.json`). */
export interface ImageRecord {
  id: string;
  names: string[];
  /** `repo@sha256:<manifest digest>` for each repository it was pulled from; the last is the digestRef. */
  repoDigests: string[];
  size: number;
  config: ImageConfig;
  /** RFC 3339 time of the first load or pull. */
  created: string;
}

/** The record a reference means: an id (full, bare hex, or a 12+ digit prefix), a digest ref, or a name. */
export function lookup(records: Iterable<ImageRecord>, ref: string): ImageRecord | undefined {
  const all = [...records];
  const id = asImageId(ref);
  if (id?.full) {
    const r = all.find((x) => x.id === id.full);
    if (r) return r;
  } else if (id?.prefix) {
    const hits = all.filter((x) => x.id.startsWith(id.prefix as string));
    if (hits.length === 1) return hits[0];
  }
  let name: string;
  try {
    name = normalizeImage(ref);
  } catch {
    return undefined;
  }
  const at = name.indexOf('@');
  if (at >= 0) {
    const digestRef = stripTag(name.slice(0, at)) + name.slice(at);
    return all.find((x) => x.repoDigests.includes(digestRef));
  }
  return all.find((x) => x.names.includes(name));
}

/** `docker.io/library/busybox:1.36` → `docker.io/library/busybox`. */
export function stripTag(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** An image arriving in the store. */
export interface Incoming {
  id: string;
  names: string[];
  repoDigest?: string;
  size: number;
  config: ImageConfig;
}

/**
 * The records to write after images arrive: each incoming image merged into its record (or a new
 * one), and every other record that held one of the incoming names without it. Records that lose
 * their last name stay, unnamed, reachable by id (docker's dangling images).
 */
export function planArrival(existing: ImageRecord[], incoming: Incoming[], now: string): ImageRecord[] {
  const byId = new Map(existing.map((r) => [r.id, r]));
  const changed = new Map<string, ImageRecord>();
  for (const inc of incoming) {
    const cur = changed.get(inc.id) ?? byId.get(inc.id);
    const names = [...(cur?.names ?? [])];
    for (const n of inc.names) if (!names.includes(n)) names.push(n);
    const repoDigests = (cur?.repoDigests ?? []).filter((d) => d !== inc.repoDigest);
    if (inc.repoDigest) repoDigests.push(inc.repoDigest);
    const next: ImageRecord = { id: inc.id, names, repoDigests, size: inc.size, config: inc.config, created: cur?.created ?? now };
    changed.set(inc.id, next);
    byId.set(inc.id, next);
    for (const other of byId.values()) {
      if (other.id === inc.id) continue;
      const keep = other.names.filter((n) => !inc.names.includes(n));
      const repos = inc.repoDigest ? other.repoDigests.filter((d) => d !== inc.repoDigest) : other.repoDigests;
      if (keep.length !== other.names.length || repos.length !== other.repoDigests.length) {
        const moved = { ...other, names: keep, repoDigests: repos };
        changed.set(other.id, moved);
        byId.set(other.id, moved);
      }
    }
  }
  return [...changed.values()];
}
