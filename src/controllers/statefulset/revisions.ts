// ControllerRevisions of a StatefulSet: the recorded patch, its hash and name, choosing the
// current and update revisions, rollback by renumbering, name collisions and history pruning
// (pkg/controller/history/controller_history.go, pkg/controller/statefulset/stateful_set_utils.go
// getPatch/newRevision/ApplyRevision, stateful_set_control.go getStatefulSetRevisions and
// truncateHistory). Pure apart from createRevision, which takes its API as a parameter.
import type { KubeObject } from '../../api/meta/types.ts';
import { revisionOf } from './identity.ts';
import { HASH_LABEL, setControllerRef, setSpec, setStatus, type PodTemplate } from './types.ts';

// --- Go-compatible encoding -------------------------------------------------------------------
// Upstream hashes the bytes encoding/json writes for the patch: map keys sorted, no spaces, and
// <, >, &, U+2028 and U+2029 escaped. The typed encoding also writes `resources: {}` for every
// container (a struct field, so omitempty never drops it); we add it where it is missing so equal
// templates hash equal to upstream's.

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/** JSON as Go's encoding/json writes a map[string]interface{}: sorted keys, HTML-safe strings. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return `{${keys.map((k) => `${goString(k)}:${goJson(o[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** The template as the typed encoding of a StatefulSet writes it. */
function typedTemplate(template: PodTemplate | undefined): Record<string, unknown> {
  const t = structuredClone(template ?? {}) as Record<string, unknown> & PodTemplate;
  const spec = (t.spec ??= {});
  for (const key of ['containers', 'initContainers'] as const) {
    const list = spec[key];
    if (Array.isArray(list)) for (const c of list as Record<string, unknown>[]) c.resources ??= {};
  }
  return t;
}

/** The revision's data: a strategic merge patch that puts this template back (getPatch). */
export function revisionData(set: KubeObject): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...typedTemplate(setSpec(set).template), $patch: 'replace' } } };
}

// --- hash and name --------------------------------------------------------------------------

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1 32-bit, as Go's hash/fnv New32 (not the 1a variant). */
export function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** HashControllerRevision: FNV-1 over the data bytes, then the collision count in decimal. */
export function hashRevision(data: unknown, collisionCount: number | undefined): string {
  let h = fnv32(Buffer.from(goJson(data), 'utf8'));
  if (collisionCount !== undefined) h = fnv32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncode(String(h));
}

/** `<prefix>-<hash>`, the prefix cut to 223 bytes so the name stays within 253. */
export function revisionName(prefix: string, hash: string): string {
  return `${Buffer.from(prefix).length > 223 ? Buffer.from(prefix).subarray(0, 223).toString() : prefix}-${hash}`;
}

/**
 * A new ControllerRevision for the set's template (newRevision): template labels plus the hash
 * label, the set's annotations, a controller reference, and the given revision number.
 */
export function newRevision(set: KubeObject, revision: number, collisionCount: number): KubeObject {
  const data = revisionData(set);
  const hash = hashRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata.name!, hash),
      namespace: set.metadata.namespace,
      labels: { ...(setSpec(set).template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      annotations: { ...(set.metadata.annotations ?? {}) },
      ownerReferences: [setControllerRef(set)],
    },
    data,
    revision,
  };
}

/** The set with the revision's template in place of its own (ApplyRevision). */
export function applyRevision(set: KubeObject, revision: KubeObject): KubeObject {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = structuredClone(data?.spec?.template ?? {});
  delete template.$patch;
  const out = { ...set, spec: { ...setSpec(set), template: template as PodTemplate } };
  return out;
}

// --- history --------------------------------------------------------------------------------

export const revisionNumber = (r: KubeObject): number => Number((r as { revision?: number }).revision ?? 0);

/** By revision, then creation time, then name (history.SortControllerRevisions). */
export function sortRevisions(revisions: readonly KubeObject[]): KubeObject[] {
  return [...revisions].sort((a, b) => {
    const d = revisionNumber(a) - revisionNumber(b);
    if (d) return d;
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
  });
}

/** Same recorded data (EqualRevision: the hash labels, when both parse as numbers, then the bytes). */
export function equalRevision(a: KubeObject, b: KubeObject): boolean {
  const ha = a.metadata.labels?.[HASH_LABEL];
  const hb = b.metadata.labels?.[HASH_LABEL];
  if (ha && hb && /^\d+$/.test(ha) && /^\d+$/.test(hb) && ha !== hb) return false;
  return goJson(a.data) === goJson(b.data);
}

export type RevisionAction = { kind: 'none' } | { kind: 'create'; revision: KubeObject } | { kind: 'renumber'; revision: KubeObject; to: number };

export interface RevisionPlan {
  current: KubeObject;
  update: KubeObject;
  collisionCount: number;
  /** What must be written before the update revision exists as planned. */
  action: RevisionAction;
}

/**
 * The current and update revisions (getStatefulSetRevisions). The update revision is the newest
 * revision equal to the template when it is the newest of all; an equal older one is renumbered
 * to come last (a rollback reuses it); otherwise a new one is created. The current revision is the
 * one status names, or the update revision on the first sync.
 */
export function planRevisions(set: KubeObject, revisions: readonly KubeObject[], collisionCount = setStatus(set).collisionCount ?? 0): RevisionPlan {
  const sorted = sortRevisions(revisions);
  const next = sorted.length ? revisionNumber(sorted[sorted.length - 1]!) + 1 : 1;
  const candidate = newRevision(set, next, collisionCount);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  let update: KubeObject;
  let action: RevisionAction = { kind: 'none' };
  if (equal.length && equal[equal.length - 1] === sorted[sorted.length - 1]) {
    update = sorted[sorted.length - 1]!;
  } else if (equal.length) {
    const found = equal[equal.length - 1]!;
    update = { ...found, revision: next };
    action = { kind: 'renumber', revision: found, to: next };
  } else {
    update = candidate;
    action = { kind: 'create', revision: candidate };
  }
  const currentName = setStatus(set).currentRevision;
  const current = sorted.find((r) => r.metadata.name === currentName) ?? update;
  return { current, update, collisionCount, action };
}

/** What createRevision needs from the API. */
export interface RevisionApi {
  /** Creates; resolves undefined when the name is taken. */
  create(revision: KubeObject): Promise<KubeObject | undefined>;
  get(name: string): Promise<KubeObject | undefined>;
}

/**
 * Creates the set's revision, renaming it with a bumped collision count while its name is taken
 * by a revision with other data (CreateControllerRevision). Resolves to the stored revision and
 * the collision count to record in status.
 */
export async function createRevision(
  set: KubeObject,
  revision: KubeObject,
  collisionCount: number,
  api: RevisionApi,
  maxAttempts = 100,
): Promise<{ revision: KubeObject; collisionCount: number }> {
  let count = collisionCount;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const hash = hashRevision(revision.data, count);
    const clone: KubeObject = { ...revision, metadata: { ...revision.metadata, name: revisionName(set.metadata.name!, hash) } };
    const created = await api.create(clone);
    if (created) return { revision: created, collisionCount: count };
    const exists = await api.get(clone.metadata.name!);
    if (exists && goJson(exists.data) === goJson(clone.data)) return { revision: exists, collisionCount: count };
    count++;
  }
  throw new Error(`creating a ControllerRevision for StatefulSet ${set.metadata.name}: ${maxAttempts} name collisions`);
}

/**
 * Revisions to delete so that at most revisionHistoryLimit non-live ones remain, oldest first
 * (truncateHistory). Live: the current and update revisions and every revision a pod is labelled
 * with. `revisions` need not be sorted.
 */
export function revisionsToPrune(set: KubeObject, pods: readonly KubeObject[], revisions: readonly KubeObject[], live: readonly string[]): KubeObject[] {
  const keep = new Set(live);
  for (const p of pods) keep.add(revisionOf(p));
  const history = sortRevisions(revisions).filter((r) => !keep.has(r.metadata.name!));
  const limit = setSpec(set).revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}
