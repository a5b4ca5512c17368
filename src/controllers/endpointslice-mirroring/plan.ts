// The EndpointSlice mirroring controller's decisions (pkg/controller/endpointslicemirroring
// reconciler.go, reconciler_helpers.go, utils.go): the user's Endpoints of a Service without a
// selector, repacked, become one slice per (address type, port set) with at most 1000 endpoints;
// `addresses` are ready, `notReadyAddresses` not. Labels and annotations follow the Endpoints'.
// Pure.
import { isValidIPAddress } from '../../api/validation/ip.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { repackSubsets, type EndpointAddress, type EndpointSubset } from '../endpoints/plan.ts';
import {
  familyOf,
  LEADER_ANNOTATION,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  SKIP_MIRROR_LABEL,
  TRIGGER_TIME_ANNOTATION,
  sameMap,
  type AddressType,
} from '../endpoints/pods.ts';
import { endpointDigest, endpointId, MIRRORING_CONTROLLER, ownedBy, portMapKey, type Endpoint, type SlicePort } from '../endpointslice/endpoint.ts';
import type { SlicePlan } from '../endpointslice/plan.ts';

/** Addresses mirrored per Endpoints subset at most (upstream maxEndpointsPerSubset). */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** shouldMirror: not opted out by the skip-mirror label, not a leader-election lock. */
export function shouldMirror(endpoints: KubeObject): boolean {
  return endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true' && endpoints.metadata.annotations?.[LEADER_ANNOTATION] === undefined;
}

/** addressToEndpoint. */
export function addressToEndpoint(a: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.targetRef) ep.targetRef = { ...a.targetRef };
  if (a.nodeName) ep.nodeName = a.nodeName;
  return ep;
}

/** The labels of a mirrored slice: the Endpoints' own, then service-name and managed-by. */
export function mirroredLabels(endpoints: KubeObject): Record<string, string> {
  return { ...endpoints.metadata.labels, [SERVICE_NAME_LABEL]: endpoints.metadata.name!, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER };
}

/** The annotations of a mirrored slice: the Endpoints' own but the trigger time and kubectl's last-applied. */
export function mirroredAnnotations(endpoints: KubeObject): Record<string, string> {
  const out: Record<string, string> = { ...endpoints.metadata.annotations };
  delete out[TRIGGER_TIME_ANNOTATION];
  delete out[LAST_APPLIED];
  return out;
}

interface Desired {
  addressType: AddressType;
  ports: SlicePort[];
  endpoints: Map<string, { ep: Endpoint; digest: string }>;
}

export interface MirrorPlan extends SlicePlan {
  /** Addresses left out for not being IPs. */
  invalid: number;
  /** Addresses left out in all (invalid, or past the per-subset limit). */
  skipped: number;
}

const sliceKey = (addressType: string, ports: readonly SlicePort[] | undefined) => `${addressType}/${portMapKey(ports)}`;

function newMirroredSlice(endpoints: KubeObject, d: Desired, name?: string, resourceVersion?: string): KubeObject {
  const metadata: KubeObject['metadata'] = {};
  if (name) metadata.name = name;
  else metadata.generateName = `${endpoints.metadata.name}-`;
  metadata.namespace = endpoints.metadata.namespace;
  if (resourceVersion) metadata.resourceVersion = resourceVersion;
  metadata.labels = mirroredLabels(endpoints);
  const annotations = mirroredAnnotations(endpoints);
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Endpoints', name: endpoints.metadata.name!, uid: endpoints.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: d.addressType, endpoints: [...d.endpoints.values()].map((e) => e.ep), ports: d.ports };
}

/**
 * The mirrored slices to create, update and delete for user Endpoints, given the mirrored slices
 * that exist (managed by the mirroring controller, not being deleted).
 */
export function planMirroring(endpoints: KubeObject, existing: readonly KubeObject[], maxPerSubset = MAX_ENDPOINTS_PER_SUBSET): MirrorPlan {
  const desired = new Map<string, Desired>();
  let invalid = 0;
  let skipped = 0;
  for (const ss of repackSubsets((endpoints.subsets as EndpointSubset[] | undefined) ?? [])) {
    const ports: SlicePort[] = (ss.ports ?? []).map((p) => {
      const out: SlicePort = { name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port };
      if (p.appProtocol) out.appProtocol = p.appProtocol;
      return out;
    });
    // Both families get an entry, so a family whose addresses all went loses its slices.
    for (const addressType of ['IPv4', 'IPv6'] as const) {
      const k = sliceKey(addressType, ports);
      if (!desired.has(k)) desired.set(k, { addressType, ports, endpoints: new Map() });
    }
    const total = (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0);
    let added = 0;
    const addAll = (list: readonly EndpointAddress[] | undefined, ready: boolean) => {
      for (const a of list ?? []) {
        if (added >= maxPerSubset) return;
        if (!isValidIPAddress(a.ip)) {
          invalid++;
          continue;
        }
        const ep = addressToEndpoint(a, ready);
        desired.get(sliceKey(familyOf(a.ip), ports))!.endpoints.set(endpointId(ep), { ep, digest: endpointDigest(ep) });
        added++;
      }
    };
    addAll(ss.addresses, true);
    addAll(ss.notReadyAddresses, false);
    skipped += total - added;
  }

  const existingByKey = new Map<string, KubeObject[]>();
  for (const s of existing) {
    const k = sliceKey(String(s.addressType), s.ports as SlicePort[] | undefined);
    const list = existingByKey.get(k);
    if (list) list.push(s);
    else existingByKey.set(k, [s]);
  }

  const plan: MirrorPlan = { create: [], update: [], delete: [], invalid, skipped };
  const labels = mirroredLabels(endpoints);
  const annotations = mirroredAnnotations(endpoints);
  for (const [k, d] of desired) {
    const have = existingByKey.get(k) ?? [];
    if (d.endpoints.size === 0) {
      plan.delete.push(...have);
      continue;
    }
    const first = have[0];
    if (first) {
      plan.delete.push(...have.slice(1));
      if (unchanged(first, d, labels, annotations)) continue;
      plan.update.push(newMirroredSlice(endpoints, d, first.metadata.name, first.metadata.resourceVersion));
    } else plan.create.push(newMirroredSlice(endpoints, d));
  }
  for (const [k, slices] of existingByKey) if (!desired.has(k)) plan.delete.push(...slices);

  // recycleSlices: a slice to create takes the name of one to delete of the same address type.
  for (let i = 0; i < plan.create.length; ) {
    const c = plan.create[i]!;
    const j = plan.delete.findIndex((s) => s.addressType === c.addressType && ownedBy(s, endpoints, 'Endpoints'));
    if (j < 0) {
      i++;
      continue;
    }
    const [old] = plan.delete.splice(j, 1);
    c.metadata = { name: old!.metadata.name, ...c.metadata, resourceVersion: old!.metadata.resourceVersion };
    plan.create.splice(i, 1);
    plan.update.push(c);
  }
  return plan;
}

/** The first existing slice already holds exactly the wanted endpoints, labels and annotations. */
function unchanged(s: KubeObject, d: Desired, labels: Record<string, string>, annotations: Record<string, string>): boolean {
  const eps = (s.endpoints as Endpoint[] | undefined) ?? [];
  if (eps.length !== d.endpoints.size) return false;
  for (const ep of eps) {
    const want = d.endpoints.get(endpointId(ep));
    if (!want || want.digest !== endpointDigest(ep)) return false;
  }
  return sameMap(s.metadata.labels, labels) && sameMap(s.metadata.annotations ?? {}, annotations);
}
