// The ownership algebra behind every write: who loses fields when an object changes, what an
// applier now owns, and which previously applied fields are pruned.
// Mirrors sigs.k8s.io/structured-merge-diff merge/update.go (Updater.update, Update, Apply,
// prune, addBackOwnedItems, addBackDanglingItems). All objects share one schema and apiVersion
// here, so upstream's per-version conversion is the identity.
import type { JsonValue } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { Conflicts, conflictsFromSets } from './conflict.ts';
import { FieldSet } from './fields.ts';
import type { Managed, VersionedSet } from './managers.ts';
import { merge, removeItems } from './merge.ts';
import { valuesEqual } from './path-element.ts';
import { type Comparison, compare, ensureNamedFieldsAreMembers, excludeFromComparison, toFieldSet } from './typed.ts';

export interface UpdaterContext {
  schema: SchemaNode | undefined;
  apiVersion: string;
  /** Fields the write may not take ownership of (upstream's reset fields), e.g. `status` on the main resource. */
  ignored?: FieldSet;
}

/**
 * Takes from every manager other than `workflow` the fields this change touched: fields it
 * modified or added are conflicts (an error unless `force`, else they move away from their
 * owner), fields it removed are dropped. Managers left with nothing are deleted. Mutates
 * `managed.fields` only on success.
 */
export function reassignOwnership(
  ctx: UpdaterContext,
  before: JsonValue,
  after: JsonValue,
  managed: Managed,
  workflow: string,
  force: boolean,
): Comparison {
  const cmp = excludeFromComparison(compare(before, after, ctx.schema), ctx.ignored);
  const touched = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  const removed = new Map<string, FieldSet>();
  for (const [id, vs] of managed.fields) {
    if (id === workflow) continue;
    const c = vs.set.intersection(touched);
    if (!c.isEmpty()) conflicts.set(id, c);
    if (!cmp.removed.isEmpty()) removed.set(id, cmp.removed);
  }
  if (!force && conflicts.size > 0) throw new Conflicts(conflictsFromSets(conflicts));
  for (const [id, c] of conflicts) {
    const vs = managed.fields.get(id)!;
    managed.fields.set(id, { ...vs, set: vs.set.difference(c) });
  }
  for (const [id, r] of removed) {
    const vs = managed.fields.get(id)!;
    managed.fields.set(id, { ...vs, set: vs.set.difference(r) });
  }
  for (const [id, vs] of managed.fields) if (vs.set.isEmpty()) managed.fields.delete(id);
  return cmp;
}

/**
 * Records a non-apply write (create, update, patch) of `after` over `before` by `id`: the writer
 * owns what it changed, keeps what it owned and did not remove, and others lose what it touched.
 */
export function recordUpdate(ctx: UpdaterContext, before: JsonValue, after: JsonValue, managed: Managed, id: string): void {
  const cmp = reassignOwnership(ctx, before, after, managed, id, true);
  const prev = managed.fields.get(id)?.set ?? new FieldSet();
  let set = prev.difference(cmp.removed).union(cmp.modified).union(cmp.added);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  if (set.isEmpty()) managed.fields.delete(id);
  else managed.fields.set(id, { set, apiVersion: ctx.apiVersion, applied: false });
}

/**
 * Merges `config` into `live` for applier `id`. The applier then owns exactly the fields of
 * `config`; what it applied last time and no longer applies is removed unless someone else owns
 * it. Throws Conflicts (unless `force`) when the result changes fields other managers own.
 * Returns the new object, or undefined when it equals `live` (a no-op apply).
 */
export function applyConfig(
  ctx: UpdaterContext,
  live: JsonValue,
  config: JsonValue,
  managed: Managed,
  id: string,
  force: boolean,
): JsonValue | undefined {
  let merged: JsonValue = merge(live, config, ctx.schema) ?? {};
  const lastSet = managed.fields.get(id);
  let set = toFieldSet(config, ctx.schema);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  managed.fields.set(id, { set, apiVersion: ctx.apiVersion, applied: true });
  merged = prune(ctx, merged, managed, lastSet);
  reassignOwnership(ctx, live, merged, managed, id, force);
  return valuesEqual(live, merged) ? undefined : merged;
}

// Removes what the applier owned last time, no longer applies, and nobody else owns. Done in
// three steps as upstream: drop everything last applied, add back whatever any manager (the
// applier's new set included) owns, then add back anything the first step took that the applier
// never owned.
function prune(ctx: UpdaterContext, merged: JsonValue, managed: Managed, lastSet: VersionedSet | undefined): JsonValue {
  if (!lastSet || lastSet.set.isEmpty()) return merged;
  const sc = ctx.schema;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, sc);
  const last = ensure(lastSet.set);
  const first = removeItems(merged, last, sc) ?? {};

  let owned = new FieldSet();
  for (const vs of managed.fields.values()) owned = owned.union(vs.set);
  const mergedSet = ensure(toFieldSet(merged, sc));
  const keep = ensure(toFieldSet(first, sc)).union(ensure(owned));
  const withOwned = removeItems(merged, mergedSet.difference(keep), sc) ?? {};

  const danglingRemoved = mergedSet.difference(ensure(toFieldSet(withOwned, sc))).intersection(last);
  return removeItems(merged, danglingRemoved, sc) ?? {};
}
