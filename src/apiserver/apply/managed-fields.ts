// managedFields tracking for non-apply writes (create, update, patch, subresource writes), and
// the default manager name derived from a request's User-Agent.
// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager.go (Update,
// decodeLiveOrNew, isResetManagedFields), managedfieldsupdater.go (the "current-operation"
// merge and time stamps), skipnonapplied.go (tracking starts at create), capmanagers.go,
// stripmeta.go; and k8s.io/apiserver/pkg/endpoints/handlers/create.go (prefixFromUserAgent).
import { cloneJson } from './json-clone.ts';
import type { JsonValue, KubeObject, ManagedFieldsEntry } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { FieldSet } from './fields.ts';
import {
  type Managed,
  buildManagerId,
  capUpdateManagers,
  decodeManagedFields,
  decodeOrEmpty,
  emptyManaged,
  encodeManagedFields,
  stripMetaFields,
  toManagedTime,
} from './managers.ts';
import { type UpdaterContext, recordUpdate } from './updater.ts';

/** Field paths (by field name) a write may never own, as a strategy's GetResetFields lists them. */
export type ResetFields = readonly (readonly string[])[];

/**
 * Upstream's reset fields for the common strategies: the main resource cannot own `status`, the
 * status subresource cannot own `spec`. Strategies that reset more pass their own list.
 */
export function defaultResetFields(subresource?: string): ResetFields {
  if (!subresource) return [['status']];
  if (subresource === 'status') return [['spec']];
  return [];
}

export function resetFieldSet(fields: ResetFields): FieldSet {
  return FieldSet.of(...fields.map((p) => p.map((field) => ({ field }))));
}

/** The object without metadata.managedFields, as the field manager compares objects. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields: _ignored, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

// The temporary identifier a write is computed under before it is folded into its manager's
// entry; JSON identifiers can never collide with it.
const CURRENT_OPERATION = 'current-operation';

/**
 * Records `after` replacing `before` as an Update by `manager`: the change is computed under a
 * temporary identity, then merged into the manager's entry for this apiVersion and subresource,
 * whose time becomes `time`. An entry whose write changed nothing keeps its old time. Mutates
 * `managed`.
 */
export function recordUpdateEntry(
  ctx: UpdaterContext,
  before: JsonValue,
  after: JsonValue,
  managed: Managed,
  opts: { manager: string; subresource?: string; time: string },
): void {
  const id = buildManagerId(opts.manager, 'Update', ctx.apiVersion, opts.subresource);
  recordUpdate(ctx, before, after, managed, CURRENT_OPERATION);
  stripMetaFields(managed, CURRENT_OPERATION);
  const vs = managed.fields.get(CURRENT_OPERATION);
  if (vs) {
    managed.fields.delete(CURRENT_OPERATION);
    const prev = managed.fields.get(id);
    managed.fields.set(id, prev ? { ...vs, set: vs.set.union(prev.set) } : vs);
    managed.times.set(id, opts.time);
  }
  capUpdateManagers(managed);
}

// A request resets tracking with `managedFields: []` or a single empty entry.
function isReset(entries: readonly ManagedFieldsEntry[] | undefined | null): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1) return false;
  const e = entries[0] as unknown as Record<string, unknown>;
  return Object.values(e).every((v) => v === undefined || v === null || v === '');
}

// Which ownership a write starts from: a subresource write always uses the stored one; a main
// resource write may replace it by sending managedFields (how kubectl migrates client-side apply
// entries), reset it with an empty list, or leave it out to keep the stored one.
function startingManaged(live: KubeObject | undefined, updated: KubeObject, isSubresource: boolean): Managed {
  const liveEntries = live?.metadata?.managedFields;
  if (isSubresource) return decodeOrEmpty(liveEntries);
  const sent = updated.metadata?.managedFields;
  if (isReset(sent)) return emptyManaged();
  try {
    const m = decodeManagedFields(sent);
    if (m.fields.size > 0) return m;
  } catch {
    // fall through to the stored entries, as upstream does
  }
  return decodeOrEmpty(liveEntries);
}

export interface TrackUpdateOptions {
  /** The stored object; undefined (or without uid) for a create. */
  live: KubeObject | undefined;
  /** The object about to be stored, after the patch or update has been applied to it. */
  updated: KubeObject;
  /** The fieldManager query parameter, or defaultManagerFromUserAgent(User-Agent). */
  manager: string;
  operation?: 'Update';
  /** Group/version of the request, e.g. `apps/v1`. */
  apiVersion: string;
  /** Current time (any Date-parsable form; stored as RFC 3339 seconds). */
  now: string;
  /**
   * `status`, `scale`, …: stored on the entry. For `scale`, pass the parent objects (before and
   * after `spec.replicas` changed) so the entry is recorded on the parent as upstream does.
   */
  subresource?: string;
  schema?: SchemaNode;
  /** Fields this write may not own; defaults to defaultResetFields(subresource). */
  resetFields?: ResetFields;
}

/**
 * Returns `updated` with metadata.managedFields recording this write: the manager owns the
 * fields it changed (merged into its existing Update entry), other managers lose fields it
 * changed or removed, and entries left empty disappear. Never throws: if tracking fails the
 * stored managedFields are kept, as upstream's UpdateNoErrors does.
 *
 * Tracking starts at create (an entry for the creator). An update of an object that has no
 * managedFields (or that sends `managedFields: []`) stores none: tracking resumes at the next
 * apply.
 */
export function trackUpdate(opts: TrackUpdateOptions): KubeObject {
  const { live, updated } = opts;
  // The caller hands `updated` over (the registry's own copy): no deep copy, so subtrees it shares
  // with `live` (a status write keeps the stored spec) compare equal by identity.
  const result = withoutManagedFields(updated);
  try {
    const isCreate = !live || !live.metadata?.uid;
    const managed = startingManaged(live, updated, !!opts.subresource);
    if (managed.fields.size === 0 && !isCreate) return result;
    const ctx: UpdaterContext = {
      schema: opts.schema,
      apiVersion: opts.apiVersion,
      ignored: resetFieldSet(opts.resetFields ?? defaultResetFields(opts.subresource)),
    };
    const time = toManagedTime(opts.now);
    // A create's entry depends only on the object's shape when it has no lists (see shapeKey).
    const shape = isCreate && managed.fields.size === 0 && !opts.resetFields ? shapeKey(result) : undefined;
    const cacheKey = shape === undefined ? undefined : [opts.manager, opts.apiVersion, result.kind, opts.subresource ?? '', shape].join('\u0000');
    const bySchema = createEntries.get(opts.schema ?? NO_SCHEMA) ?? new Map<string, ManagedFieldsEntry[]>();
    const cached = cacheKey === undefined ? undefined : bySchema.get(cacheKey);
    if (cached) {
      result.metadata.managedFields = cached.map((e) => ({ ...cloneJson(e), time }));
      return result;
    }
    const before = live ? (withoutManagedFields(live) as unknown as JsonValue) : {};
    recordUpdateEntry(ctx, before, result as unknown as JsonValue, managed, { manager: opts.manager, subresource: opts.subresource, time });
    const entries = encodeManagedFields(managed);
    if (entries) result.metadata.managedFields = entries;
    if (cacheKey !== undefined && entries) {
      if (bySchema.size >= CREATE_ENTRIES_MAX) bySchema.clear();
      bySchema.set(cacheKey, entries.map(({ time: _t, ...e }) => cloneJson(e)));
      createEntries.set(opts.schema ?? NO_SCHEMA, bySchema);
    }
    return result;
  } catch {
    const kept = live?.metadata?.managedFields;
    if (kept) result.metadata.managedFields = structuredClone(kept);
    return result;
  }
}

// Create entries by schema, then manager, version, kind and shape: Events, ConfigMaps, Leases and
// the like are created over and over in the same shape, and a create's field set is a walk of
// the whole object.
const createEntries = new WeakMap<object, Map<string, ManagedFieldsEntry[]>>();
const NO_SCHEMA = {};
const CREATE_ENTRIES_MAX = 1024;

/**
 * The object's keys and which values are maps, null or scalars, as a string; undefined when it
 * holds a list. Without lists (whose items are keyed by their values) the set of fields a create
 * owns is a function of this shape and the kind's schema alone.
 */
export function shapeKey(obj: unknown): string | undefined {
  const out: string[] = [];
  const walk = (v: unknown): boolean => {
    if (v === null) out.push('n');
    else if (Array.isArray(v)) return false;
    else if (typeof v === 'object') {
      out.push('{');
      for (const k in v as Record<string, unknown>) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        out.push(`${k.length}:${k}`);
        if (!walk(x)) return false;
      }
      out.push('}');
    } else out.push('s');
    return true;
  };
  return walk(obj) && out.length < 4096 ? out.join('') : undefined;
}

// Upstream's limit on a field manager name, in bytes.
const FIELD_MANAGER_MAX_LENGTH = 128;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * The manager name of a write without a fieldManager parameter: the User-Agent up to its first
 * `/`, without unprintable characters, cut at 128 bytes. `kubectl/v1.35.0 (linux/amd64) …` →
 * `kubectl`; `Helm/4.1.4` → `Helm`. (kubectl's client-side apply and edit send
 * `fieldManager=kubectl-client-side-apply` / `kubectl-edit` explicitly.)
 */
export function defaultManagerFromUserAgent(userAgent: string | undefined | null): string {
  const prefix = (userAgent ?? '').split('/')[0]!;
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!PRINTABLE.test(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** The manager a write is recorded under: the explicit fieldManager, else the User-Agent's. */
export function managerOrUserAgent(fieldManager: string | undefined | null, userAgent: string | undefined | null): string {
  return fieldManager ? fieldManager : defaultManagerFromUserAgent(userAgent);
}
