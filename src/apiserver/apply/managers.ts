// metadata.managedFields decoded into per-manager field sets and encoded back, plus the
// bookkeeping around them: manager identifiers, stripped metadata fields, the cap on Update
// entries, entry order.
// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal: managedfields.go (decode, encode,
// BuildManagerIdentifier, sort order), stripmeta.go, capmanagers.go, buildmanagerinfo.go.
import type { JsonObject, ManagedFieldsEntry } from '../../api/meta/types.ts';
import { FieldSet } from './fields.ts';
import { decodeFieldsV1, encodeFieldsV1 } from './fields-cache.ts';

export type Operation = 'Apply' | 'Update';

/** One manager's ownership: the fields, the apiVersion they are expressed in, and whether applied. */
export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Ownership keyed by manager identifier (see managerId), with each entry's last change time. */
export interface Managed {
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

export function cloneManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

interface IdentifierParts {
  manager: string;
  operation: Operation;
  apiVersion?: string;
  subresource?: string;
}

/**
 * The key one managedFields entry is tracked under: JSON of manager, operation, apiVersion (Update
 * only, so an applier keeps one entry across versions) and subresource. Two writes with the same
 * identifier accumulate into one entry.
 */
export function managerId(parts: IdentifierParts): string {
  const o: Record<string, string> = { manager: parts.manager };
  o['operation'] = parts.operation;
  if (parts.operation === 'Update' && parts.apiVersion) o['apiVersion'] = parts.apiVersion;
  if (parts.subresource) o['subresource'] = parts.subresource;
  return JSON.stringify(o);
}

// Identifiers recur on every write of an object; parsing each once keeps encoding cheap.
const parsedIds = new Map<string, IdentifierParts>();
const PARSED_IDS_MAX = 1024;

export function parseManagerId(id: string): IdentifierParts {
  const hit = parsedIds.get(id);
  if (hit) return { ...hit };
  const parts = parseManagerIdUncached(id);
  if (parsedIds.size >= PARSED_IDS_MAX) parsedIds.clear();
  parsedIds.set(id, parts);
  return { ...parts };
}

function parseManagerIdUncached(id: string): IdentifierParts {
  try {
    const o = JSON.parse(id) as Partial<IdentifierParts>;
    return { manager: o.manager ?? '', operation: o.operation ?? 'Update', apiVersion: o.apiVersion, subresource: o.subresource };
  } catch {
    return { manager: id, operation: 'Update' };
  }
}

/** Identifier for a write by `manager` (an empty name becomes `unknown`, as upstream). */
export function buildManagerId(manager: string, operation: Operation, apiVersion: string, subresource?: string): string {
  return managerId({ manager: manager || 'unknown', operation, apiVersion, subresource });
}

/** Decodes stored entries; throws on an entry upstream would reject. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined | null): Managed {
  const out = emptyManaged();
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType "${String(e.fieldsType)}" in managed fields entry ${i}`);
    const id = managerId({ manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource });
    const set = decodeFieldsV1(e.fieldsV1 ?? {});
    out.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    out.times.set(id, e.time);
  });
  return out;
}

/** Lenient decode: anything undecodable counts as no tracking, which upstream then rebuilds. */
export function decodeOrEmpty(entries: readonly ManagedFieldsEntry[] | undefined | null): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return emptyManaged();
  }
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes to the wire list in upstream's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (m.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const parts = parseManagerId(id);
    const e: ManagedFieldsEntry = {
      manager: parts.manager,
      operation: vs.applied ? 'Apply' : parts.operation,
      apiVersion: vs.apiVersion,
    };
    const time = m.times.get(id);
    if (time) e.time = time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = encodeFieldsV1(vs.set, id);
    if (parts.subresource) e.subresource = parts.subresource;
    entries.push(e);
  }
  return entries.sort(
    (p, q) =>
      cmp(p.operation!, q.operation!) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager ?? '', q.manager ?? '') ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

// Fields no manager ever owns: identity and server-set metadata.
const STRIP = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f) => [{ field: 'metadata' }, { field: f }],
  ),
);

/** Removes server-owned metadata from `id`'s set (dropping the entry if nothing is left). */
export function stripMetaFields(m: Managed, id: string): void {
  const vs = m.fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(STRIP);
  if (set.isEmpty()) m.fields.delete(id);
  else m.fields.set(id, { ...vs, set });
}

export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT = 'ancient-changes';

/**
 * Keeps at most `max` Update entries by folding the oldest ones into one `ancient-changes`
 * entry per apiVersion (the first such fold renames the oldest entry of that version).
 */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || cmp(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = m.fields.get(id)!;
    const time = m.times.get(id);
    const bucket = managerId({ manager: ANCIENT, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      m.fields.set(bucket, m.fields.get(first)!);
      m.fields.delete(first);
      m.times.delete(first);
    }
    m.fields.set(bucket, { set: vs.set.union(m.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
    m.fields.delete(id);
    m.times.delete(id);
    length--;
    m.times.set(bucket, time);
  }
}

/** RFC 3339 with whole seconds, the precision metav1.Time keeps. */
export function toManagedTime(now: string): string {
  if (now === lastTime.now) return lastTime.managed;
  const ms = Date.parse(now);
  const managed = Number.isNaN(ms) ? now : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  lastTime = { now, managed };
  return managed;
}

// Writes arrive with the same `now` many times a second.
let lastTime = { now: '', managed: '' };
