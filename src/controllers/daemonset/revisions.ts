// ControllerRevisions of a DaemonSet (pkg/controller/daemon/update.go constructHistory, Match,
// getPatch, snapshot, dedupCurHistories and cleanupHistory; controller_utils.go ComputeHash).
// The recorded data is the StatefulSet's patch shape, {"spec":{"template":{…,"$patch":"replace"}}},
// so the encoding helpers of ../statefulset/revisions.ts are shared. Pure.
//
// The hash differs from upstream's value: upstream feeds a Go pretty-printer's dump of the
// PodTemplateSpec struct to FNV-32a, which has no JSON equivalent; here FNV-32a runs over the
// template in Go's JSON encoding. Only equality matters to the controller, and kubectl compares
// revisions by their data, not by hash.
import type { KubeObject } from '../../api/meta/types.ts';
import { goJson, revisionData, revisionNumber, safeEncode, sortRevisions } from '../statefulset/revisions.ts';
import { podsByNode } from './pods.ts';
import { dsControllerRef, dsSpec, dsStatus, HASH_LABEL } from './types.ts';

/** FNV-1a 32-bit, as Go's hash/fnv New32a. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = (h ^ b) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The DaemonSet's template hash (ComputeHash): the collision count, when set, as 8 little-endian bytes. */
export function computeHash(ds: KubeObject, collisionCount = dsStatus(ds).collisionCount): string {
  const { $patch: _replace, ...template } = revisionData(ds).spec.template;
  let h = fnv32a(Buffer.from(goJson(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(bytes, h);
  }
  return safeEncode(String(h));
}

/** Match: the revision records exactly this DaemonSet's template. */
export function matchesTemplate(ds: KubeObject, revision: KubeObject): boolean {
  return goJson(revisionData(ds)) === goJson(revision.data);
}

/**
 * The revision snapshot would create: `<ds>-<hash>`, template labels plus the hash label, the
 * DaemonSet's annotations, a controller reference. The data's keys are in Go's order, so its
 * bytes as served are the bytes kubectl's rollout undo compares with.
 */
export function newDaemonSetRevision(ds: KubeObject, revision: number): KubeObject {
  const hash = computeHash(ds);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(dsSpec(ds).template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [dsControllerRef(ds)],
    },
    data: JSON.parse(goJson(revisionData(ds))) as unknown,
    revision,
  };
}

export interface HistoryPlan {
  /** Revisions lacking the hash label, with it set to their name (written first). */
  relabel: KubeObject[];
  /** The revision matching the template, when one exists (after relabelling). */
  current?: KubeObject;
  /** The revision to create when none matches. */
  create?: KubeObject;
  /** Other revisions matching the template: pods move to current's hash, then these are deleted. */
  duplicates: KubeObject[];
  /** current's revision number must become this (a rollback to an older revision). */
  renumber?: number;
  /** Revisions not matching the template. */
  old: KubeObject[];
}

/**
 * constructHistory as a plan: revisions are split into the one matching the template (the
 * highest-numbered of several; the rest are duplicates) and old ones; the current revision is
 * created, or renumbered to come after every old one.
 */
export function planHistory(ds: KubeObject, revisions: readonly KubeObject[]): HistoryPlan {
  const relabel: KubeObject[] = [];
  const matching: KubeObject[] = [];
  const old: KubeObject[] = [];
  for (let r of revisions) {
    if (r.metadata.labels?.[HASH_LABEL] === undefined) {
      r = { ...r, metadata: { ...r.metadata, labels: { ...(r.metadata.labels ?? {}), [HASH_LABEL]: r.metadata.name! } } };
      relabel.push(r);
    }
    (matchesTemplate(ds, r) ? matching : old).push(r);
  }
  const next = Math.max(0, ...old.map(revisionNumber)) + 1;
  if (!matching.length) return { relabel, create: newDaemonSetRevision(ds, next), duplicates: [], old };
  let current = matching[0]!;
  for (const r of matching) if (revisionNumber(r) >= revisionNumber(current)) current = r;
  const duplicates = matching.filter((r) => r !== current);
  return { relabel, current, duplicates, old, ...(revisionNumber(current) < next ? { renumber: next } : {}) };
}

/**
 * cleanupHistory: while more old revisions exist than revisionHistoryLimit, the oldest whose
 * hash no pod carries (pods being deleted included) are deleted.
 */
export function revisionsToPrune(ds: KubeObject, old: readonly KubeObject[], pods: readonly KubeObject[]): KubeObject[] {
  const limit = dsSpec(ds).revisionHistoryLimit ?? 10;
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const live = new Set<string>();
  for (const list of podsByNode(pods, true).values()) for (const p of list) if (p.metadata.labels?.[HASH_LABEL]) live.add(p.metadata.labels[HASH_LABEL]);
  const out: KubeObject[] = [];
  for (const r of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(r.metadata.labels?.[HASH_LABEL] ?? '')) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
