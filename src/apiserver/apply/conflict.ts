// Apply conflicts and the 409 they become.
// Mirrors sigs.k8s.io/structured-merge-diff merge/conflict.go (conflicts per manager and path)
// and k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go (message and causes).
import { ApiError } from '../../api/errors.ts';
import type { FieldSet } from './fields.ts';
import { parseManagerId } from './managers.ts';
import { type Path, pathToString } from './path-element.ts';

/** One conflicting path and the manager (identifier) that owns it. */
export interface Conflict {
  managerId: string;
  path: Path;
}

/** Internal signal from the merge: conflicts found while force was off. */
export class Conflicts extends Error {
  readonly conflicts: readonly Conflict[];
  constructor(conflicts: readonly Conflict[]) {
    super(`${conflicts.length} apply conflicts`);
    this.conflicts = conflicts;
  }
}

/** Conflicts from per-manager sets, managers in identifier order, paths in set order. */
export function conflictsFromSets(sets: Map<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const id of [...sets.keys()].sort()) {
    for (const path of sets.get(id)!.paths()) out.push({ managerId: id, path });
  }
  return out;
}

/** How a manager is named in messages: `"kubectl"`, `"helm" with subresource "status"`, `… using apps/v1`. */
export function describeManager(managerId: string): string {
  const p = parseManagerId(managerId);
  let s = JSON.stringify(p.manager);
  if (p.subresource) s = `${s} with subresource ${JSON.stringify(p.subresource)}`;
  // Identifiers never carry a time, so upstream's "at <time>" suffix never appears.
  if (p.operation === 'Update') s = `${s} using ${p.apiVersion ?? ''}`;
  return s;
}

export interface ConflictDetail {
  /** The manager's name as recorded in managedFields. */
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  /** The conflicting field, e.g. `.spec.replicas` or `.spec.template.spec.containers[name="nginx"].image`. */
  field: string;
}

/**
 * The 409 a conflicting apply answers with: reason Conflict, one FieldManagerConflict cause per
 * conflict. Extends ApiError so the one Status renderer handles it unchanged.
 */
export class ApplyConflictError extends ApiError {
  readonly conflicts: readonly ConflictDetail[];

  constructor(conflicts: readonly Conflict[]) {
    const causes = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${describeManager(c.managerId)}`,
      field: pathToString(c.path),
    }));
    super('Conflict', 409, conflictMessage(conflicts), { causes });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts.map((c) => {
      const p = parseManagerId(c.managerId);
      const d: ConflictDetail = { manager: p.manager, operation: p.operation, field: pathToString(c.path) };
      if (p.apiVersion) d.apiVersion = p.apiVersion;
      if (p.subresource) d.subresource = p.subresource;
      return d;
    });
  }
}

/**
 * `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`, or for several:
 * `Apply failed with N conflicts: conflicts with "a":\n- .x\n- .y\nconflicts with "b" …` grouped by
 * manager in identifier order.
 */
export function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${describeManager(c.managerId)}: ${pathToString(c.path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) {
    const list = byManager.get(c.managerId) ?? [];
    list.push(c.path);
    byManager.set(c.managerId, list);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${describeManager(id)}:`);
    for (const p of byManager.get(id)!) lines.push(`- ${pathToString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
