// The EndpointSlice reconciler's decisions (pkg/controller/endpointslice/reconciler.go
// reconcileByAddressType, reconcileByPortMapping, getSliceToFill, finalize; placeholder slices):
// from the endpoints a Service should have, grouped by port set, and the slices it has, which
// slices to create, update and delete. Incremental as upstream: a slice whose endpoints are all
// still wanted and unchanged is left alone, changed slices are rewritten, new endpoints go first
// into slices being rewritten anyway, then into the fullest unchanged slice they fit, then into
// new slices; emptied slices are deleted, or reused by name for slices that would be created.
// Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { rfc3339Nano, sameMap, TRIGGER_TIME_ANNOTATION, type AddressType } from '../endpoints/pods.ts';
import { endpointDigest, endpointId, ownedBy, portMapKey, sliceLabels, type Endpoint, type SlicePort } from './endpoint.ts';

export interface DesiredEndpoint {
  ep: Endpoint;
  /** endpointId(ep). */
  id: string;
  /** endpointDigest(ep). */
  digest: string;
}

/**
 * The endpoints wanted for one port set (upstream's EndpointSet), consumed by the plan: each is
 * placed once, either where it already is (take) or wherever there is room (pop).
 */
export interface DesiredSet {
  readonly ports: SlicePort[];
  /** How many are not placed yet. */
  readonly size: number;
  /** The endpoint of this id, placed now; undefined if not wanted here or already placed. */
  take(id: string): DesiredEndpoint | undefined;
  /** Any endpoint not placed yet, placed now. */
  pop(): DesiredEndpoint | undefined;
}

/** A DesiredSet over a list (later duplicates of an id replace earlier ones, as a set does). */
export function desiredSet(ports: SlicePort[], endpoints: Iterable<DesiredEndpoint>): DesiredSet {
  const byId = new Map<string, DesiredEndpoint>();
  for (const d of endpoints) byId.set(d.id, d);
  return {
    ports,
    get size() {
      return byId.size;
    },
    take(id) {
      const d = byId.get(id);
      if (d) byId.delete(id);
      return d;
    },
    pop() {
      for (const [id, d] of byId) {
        byId.delete(id);
        return d;
      }
      return undefined;
    },
  };
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

export interface PlanSlicesInput {
  svc: KubeObject;
  addressType: AddressType;
  /** Wanted endpoints by portMapKey of their ports; the sets are consumed. */
  desired: Map<string, DesiredSet>;
  /** The Service's slices of this address type (managed by this controller, not being deleted). */
  existing: readonly KubeObject[];
  controllerName: string;
  maxEndpointsPerSlice: number;
  /** Last change trigger time (ms) for the slices written; undefined removes the annotation. */
  triggerTime?: number;
  /** The ids and digests of a stored slice's endpoints (callers cache them); computed when absent. */
  describe?: (slice: KubeObject) => SliceDescription;
  /**
   * Slices the caller knows to hold exactly wanted, current endpoints (none of which is in the
   * desired sets): kept as they are without looking at their endpoints, unless their labels are
   * out of date.
   */
  unaffected?: ReadonlySet<KubeObject>;
}

export interface SliceDescription {
  ids: string[];
  digests: string[];
}

export function describeSlice(slice: KubeObject): SliceDescription {
  const eps = endpointsOf(slice);
  return { ids: eps.map(endpointId), digests: eps.map(endpointDigest) };
}

interface Working {
  /** The slice as stored (undefined for a new one). */
  stored?: KubeObject;
  endpoints: Endpoint[];
  /** Whether endpoints is this plan's own array (else the stored slice's, not to be changed). */
  copied?: boolean;
  labels: Record<string, string>;
  ports: SlicePort[];
  /** A slice to delete whose name a new slice takes instead. */
  recycled?: KubeObject;
}

const endpointsOf = (s: KubeObject) => (s.endpoints as Endpoint[] | undefined) ?? [];

export function newSlice(svc: KubeObject, addressType: AddressType, ports: SlicePort[], labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** The slices to write and delete for one address type of a Service (reconcileByAddressType + finalize). */
export function planSlices(input: PlanSlicesInput): SlicePlan {
  const { svc, addressType, desired, maxEndpointsPerSlice: max } = input;
  const describe = input.describe ?? describeSlice;
  const labels = sliceLabels(svc, input.controllerName);
  const toDelete: KubeObject[] = [];
  const toCreate: Working[] = [];
  const toUpdate: Working[] = [];

  const existingByPorts = new Map<string, KubeObject[]>();
  for (const s of input.existing) {
    if (!ownedBy(s, svc)) {
      toDelete.push(s);
      continue;
    }
    const k = portMapKey(s.ports as SlicePort[] | undefined);
    const list = existingByPorts.get(k);
    if (list) list.push(s);
    else existingByPorts.set(k, [s]);
  }

  for (const [key, group] of desired) {
    const r = reconcilePortMapping(existingByPorts.get(key) ?? [], group, labels, max, describe, input.unaffected);
    toCreate.push(...r.create);
    toUpdate.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) toDelete.push(...slices);

  // A Service with no endpoints keeps one empty placeholder slice (without ports) per address type.
  if (input.existing.length === toDelete.length && toCreate.length === 0) {
    const only = toDelete.length === 1 ? toDelete[0]! : undefined;
    if (only && isPlaceholder(only, svc, addressType, labels)) toDelete.length = 0;
    else toCreate.push({ endpoints: [], copied: true, labels, ports: [] });
  }

  // finalize: a slice that would be created takes the name of one that would be deleted.
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const old = toDelete[i]!;
    if (old.addressType === addressType && ownedBy(old, svc)) {
      const w = toCreate.pop()!;
      w.recycled = old;
      toUpdate.push(w);
      toDelete.splice(i, 1);
    } else i++;
  }

  const annotate = (annotations: Record<string, string> | undefined): Record<string, string> | undefined => {
    const out = { ...annotations };
    if (input.triggerTime !== undefined) out[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(input.triggerTime);
    else delete out[TRIGGER_TIME_ANNOTATION];
    return Object.keys(out).length ? out : undefined;
  };
  const render = (w: Working): KubeObject => {
    if (w.stored) {
      const metadata: KubeObject['metadata'] = { ...w.stored.metadata, labels: w.labels };
      const annotations = annotate(w.stored.metadata.annotations);
      if (annotations) metadata.annotations = annotations;
      else delete metadata.annotations;
      return { ...w.stored, metadata, endpoints: w.endpoints };
    }
    const slice = newSlice(svc, addressType, w.ports, w.labels);
    const annotations = annotate(undefined);
    if (annotations) slice.metadata.annotations = annotations;
    slice.endpoints = w.endpoints;
    if (w.recycled) slice.metadata = { name: w.recycled.metadata.name, ...slice.metadata, resourceVersion: w.recycled.metadata.resourceVersion };
    return slice;
  };
  return { create: toCreate.map(render), update: toUpdate.map(render), delete: toDelete };
}

/** placeholderSliceCompare: an empty slice without ports, as newEndpointSlice would make it. */
function isPlaceholder(s: KubeObject, svc: KubeObject, addressType: AddressType, labels: Record<string, string>): boolean {
  return (
    s.addressType === addressType &&
    endpointsOf(s).length === 0 &&
    ((s.ports as unknown[] | undefined) ?? []).length === 0 &&
    ownedBy(s, svc) &&
    sameMap(s.metadata.labels, labels)
  );
}

/** reconcileByPortMapping for the slices of one port set. Consumes the wanted set. */
function reconcilePortMapping(
  existing: readonly KubeObject[],
  wanted: DesiredSet,
  labels: Record<string, string>,
  max: number,
  describe: (slice: KubeObject) => SliceDescription,
  unaffected: ReadonlySet<KubeObject> | undefined,
): { create: Working[]; update: Working[]; delete: KubeObject[] } {
  const update: Working[] = [];
  const unchanged: Working[] = [];
  const del: KubeObject[] = [];

  // 1. Keep the wanted endpoints of each slice (in their new form), drop the rest.
  for (const s of existing) {
    const eps = endpointsOf(s);
    if (unaffected?.has(s) && sameMap(s.metadata.labels, labels)) {
      unchanged.push({ stored: s, endpoints: eps, labels, ports: (s.ports as SlicePort[] | undefined) ?? [] });
      continue;
    }
    const { ids, digests } = describe(s);
    // Built only once something differs: most slices of a large Service stay as they are.
    let kept: Endpoint[] | undefined;
    for (let i = 0; i < eps.length; i++) {
      const want = wanted.take(ids[i]!);
      if (want && want.digest === digests[i]) {
        kept?.push(eps[i]!);
        continue;
      }
      kept ??= eps.slice(0, i);
      if (want) kept.push(want.ep);
    }
    const w: Working = { stored: s, endpoints: kept ?? eps, copied: kept !== undefined, labels, ports: (s.ports as SlicePort[] | undefined) ?? [] };
    if (kept) {
      if (kept.length === 0) del.push(s);
      else update.push(w);
    } else if (!sameMap(s.metadata.labels, labels)) update.push(w);
    else unchanged.push(w);
  }

  // 2. New endpoints fill the slices being rewritten anyway, fullest first.
  const take = (w: Working) => {
    if (!w.copied) {
      w.endpoints = [...w.endpoints];
      w.copied = true;
    }
    while (wanted.size > 0 && w.endpoints.length < max) w.endpoints.push(wanted.pop()!.ep);
  };
  if (wanted.size > 0 && update.length > 0) {
    for (const w of [...update].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
      if (wanted.size === 0) break;
      take(w);
    }
  }

  // 3. The rest goes into the fullest unchanged slice it fits in whole, else into new slices.
  const create: Working[] = [];
  while (wanted.size > 0) {
    let fill: Working | undefined;
    if (wanted.size < max && unchanged.length > 0) fill = sliceToFill(unchanged, wanted.size, max);
    if (fill) {
      unchanged.splice(unchanged.indexOf(fill), 1);
      take(fill);
      update.push(fill);
    } else {
      const w: Working = { endpoints: [], copied: true, labels, ports: wanted.ports };
      take(w);
      create.push(w);
    }
  }
  return { create, update, delete: del };
}

/** getSliceToFill: the unchanged slice with the least room left that still takes n more. */
function sliceToFill(slices: readonly Working[], n: number, max: number): Working | undefined {
  let best: Working | undefined;
  let bestDiff = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < bestDiff) {
      bestDiff = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}
