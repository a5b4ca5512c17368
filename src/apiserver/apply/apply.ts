// Server-side apply: merge an applied configuration into the live object and record the
// applier's ownership in metadata.managedFields.
// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager.go (Apply),
// versioncheck.go, lastappliedupdater.go, lastappliedmanager.go, skipnonapplied.go,
// managedfieldsupdater.go, stripmeta.go, structuredmerge.go; and structured-merge-diff
// merge/update.go (Updater.Apply).
import { ApiError } from '../../api/errors.ts';
import type { JsonValue, KubeObject } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { ApplyConflictError, Conflicts } from './conflict.ts';
import { cloneJson } from './json-clone.ts';
import { UPGRADING_MANAGER, allowedConflictsFromLastApplied, syncLastApplied } from './last-applied.ts';
import { type ResetFields, defaultResetFields, recordUpdateEntry, resetFieldSet, withoutManagedFields } from './managed-fields.ts';
import { type Managed, buildManagerId, cloneManaged, decodeOrEmpty, encodeManagedFields, stripMetaFields, toManagedTime } from './managers.ts';
import { formatSchemaErrors, validateForApply } from './schema-atoms.ts';
import { type UpdaterContext, applyConfig } from './updater.ts';

export { ApplyConflictError } from './conflict.ts';

export interface ServerSideApplyOptions {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The request body: the applier's full intent for the fields it cares about. */
  applied: KubeObject;
  /** The fieldManager query parameter (required for apply; checked by the caller). */
  manager: string;
  force: boolean;
  schema?: SchemaNode;
  /** Group/version the request addresses, e.g. `apps/v1`; the body must use the same. */
  apiVersion: string;
  /** Kind the request addresses; when given (or known from `live`) the body must use the same. */
  kind?: string;
  now: string;
  subresource?: string;
  /** Fields the applier may not own; defaults to defaultResetFields(subresource). */
  resetFields?: ResetFields;
}

// The manager existing fields are attributed to when an object without managedFields is applied to.
const BEFORE_FIRST_APPLY = 'before-first-apply';

function gvkString(apiVersion: string | undefined, kind: string | undefined): string {
  const av = apiVersion ?? '';
  const slash = av.indexOf('/');
  const group = slash >= 0 ? av.slice(0, slash) : '';
  const version = slash >= 0 ? av.slice(slash + 1) : av;
  return `${group}/${version}, Kind=${kind ?? ''}`;
}

function checkRequest(opts: ServerSideApplyOptions): void {
  const { applied, live, apiVersion } = opts;
  const kind = opts.kind ?? live?.kind;
  if (applied.apiVersion !== apiVersion || (kind !== undefined && applied.kind !== kind)) {
    throw new ApiError('BadRequest', 400, `invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  const mf = applied.metadata?.managedFields as unknown;
  if (mf !== undefined && mf !== null) throw new ApiError('BadRequest', 400, 'metadata.managedFields must be nil');
  const errs = validateForApply(applied as unknown as JsonValue, opts.schema);
  if (errs.length > 0) {
    const ns = applied.metadata?.namespace ?? live?.metadata?.namespace ?? '';
    const where = `${ns}/${applied.metadata?.name ?? ''}; ${gvkString(applied.apiVersion, applied.kind)}`;
    throw new ApiError('InternalError', 500, `failed to create typed patch object (${where}): ${formatSchemaErrors(errs)}`);
  }
}

/**
 * Applies `applied` for `manager` and returns the object to store, with managedFields updated.
 *
 * Result: live merged with the configuration (applied values win; unmentioned live fields and
 * list items stay), minus fields this manager applied before, no longer applies, and nobody else
 * owns. The manager's Apply entry then holds exactly the configuration's fields; other managers
 * lose the fields whose value this apply changed. The entry's time moves only when the object
 * changed.
 *
 * Throws ApplyConflictError (409) when, without `force`, the apply changes a field another
 * manager owns. For the `kubectl` manager, conflicts on fields the last-applied annotation shows
 * kubectl set by client-side apply are forgiven, and that annotation is rewritten to the new
 * configuration. Throws ApiError 400 for a body of another kind or version, or one carrying
 * managedFields; 500 (upstream's code) for list items it cannot address, such as duplicate keys.
 */
export function serverSideApply(opts: ServerSideApplyOptions): { object: KubeObject } {
  checkRequest(opts);
  const { live, applied, manager, apiVersion, subresource } = opts;
  const time = toManagedTime(opts.now);
  const ctx: UpdaterContext = {
    schema: opts.schema,
    apiVersion,
    ignored: resetFieldSet(opts.resetFields ?? defaultResetFields(subresource)),
  };
  const liveBody = (live ? withoutManagedFields(live) : {}) as unknown as JsonValue;
  const config = applied as unknown as JsonValue;

  const managed = decodeOrEmpty(live?.metadata?.managedFields);
  if (managed.fields.size === 0) {
    // Untracked object: whatever it holds belongs to a placeholder updater, so the apply neither
    // conflicts with nor prunes fields written before tracking began.
    recordUpdateEntry(ctx, {}, liveBody, managed, { manager: BEFORE_FIRST_APPLY, subresource, time });
  }
  const id = buildManagerId(manager, 'Apply', apiVersion, subresource);

  const attempt = (force: boolean): { object: JsonValue; managed: Managed } => {
    const m = cloneManaged(managed);
    const merged = applyConfig(ctx, liveBody, config, m, id, force);
    stripMetaFields(m, id);
    if (merged !== undefined) m.times.set(id, time);
    return { object: merged ?? liveBody, managed: m };
  };

  let outcome: { object: JsonValue; managed: Managed };
  try {
    outcome = attempt(opts.force);
  } catch (err) {
    if (!(err instanceof Conflicts)) throw err;
    if (manager !== UPGRADING_MANAGER || !live) throw new ApplyConflictError(err.conflicts);
    const allowed = allowedConflictsFromLastApplied(live, apiVersion, opts.schema);
    if (!allowed) throw new ApplyConflictError(err.conflicts);
    const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
    outcome = attempt(true);
  }

  const object = cloneJson(outcome.object) as unknown as KubeObject;
  object.metadata ??= {};
  const entries = encodeManagedFields(outcome.managed);
  if (entries) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
  if (manager === UPGRADING_MANAGER) syncLastApplied(object, applied);
  return { object };
}
