// One pod as an EndpointSlice endpoint (staging endpointslice/util podToEndpoint,
// getEndpointPorts, EndpointSet hashing, EndpointsEqualBeyondHash). Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import type { ObjectReference } from '../endpoints/plan.ts';
import {
  familyOf,
  findPort,
  isPodReady,
  isServiceIPSet,
  podIPs,
  podSpec,
  publishNotReady,
  shouldSetHostname,
  svcSpec,
  type AddressType,
  HEADLESS_LABEL,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
} from '../endpoints/pods.ts';

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: unknown;
  deprecatedTopology?: Record<string, string>;
}

export interface SlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints per slice at most (upstream --max-endpoints-per-slice, default 100). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/**
 * podToEndpoint: the pod's addresses of the slice's family; serving = Ready, terminating =
 * being deleted, ready = the Service publishes not-ready addresses, or serving and not
 * terminating; hostname by the subdomain rule; node name; zone from the node's label.
 */
export function podToEndpoint(pod: KubeObject, svc: KubeObject, addressType: AddressType, zone: string | undefined): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = publishNotReady(svc) || (serving && !terminating);
  const spec = podSpec(pod);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => familyOf(ip) === addressType),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = spec.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (spec.nodeName) ep.nodeName = spec.nodeName;
  if (zone) ep.zone = zone;
  return ep;
}

/**
 * getEndpointPorts: one port per Service port the pod resolves (a named targetPort the pod lacks
 * is left out), with the Service port's name, protocol and appProtocol. A headless Service
 * without ports gives none.
 */
export function endpointPorts(svc: KubeObject, pod: KubeObject): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svcSpec(svc).ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

const portDigest = (p: SlicePort) => `${p.name ?? ''}|${p.protocol ?? 'TCP'}|${p.port ?? ''}|${p.appProtocol ?? ''}`;

/** NewPortMapKey: the same ports in any order give the same key. */
export function portMapKey(ports: readonly SlicePort[] | undefined): string {
  if (!ports?.length) return '';
  if (ports.length === 1) return portDigest(ports[0]!);
  return ports.map(portDigest).sort().join(';');
}

/** The endpoint's identity in an EndpointSet: addresses, hostname and target name. */
export function endpointId(ep: Endpoint): string {
  const addrs = ep.addresses.length > 1 ? [...ep.addresses].sort() : ep.addresses;
  return `${addrs.join(',')}|${ep.hostname ?? ''}|${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}`;
}

const bool = (b: boolean | undefined) => (b === undefined ? '-' : b ? '1' : '0');

/** Everything EndpointsEqualBeyondHash compares, as one string: equal strings, equal endpoints. */
export function endpointDigest(ep: Endpoint): string {
  const c = ep.conditions ?? {};
  const r = ep.targetRef;
  let s = `${endpointId(ep)}|${bool(c.ready)}${bool(c.serving)}${bool(c.terminating)}|${ep.nodeName ?? ''}|${ep.zone ?? ''}|${r ? `${r.kind ?? ''}/${r.uid ?? ''}` : ''}`;
  if (ep.hints !== undefined) s += `|h${JSON.stringify(ep.hints)}`;
  if (ep.deprecatedTopology !== undefined) s += `|t${JSON.stringify(ep.deprecatedTopology)}`;
  return s;
}

/** The reserved labels a Service's own labels cannot override on its slices. */
const RESERVED = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

/**
 * setEndpointSliceLabels: the Service's labels (reserved keys skipped), the headless label when
 * the Service has no cluster IP, the service-name and managed-by labels.
 */
export function sliceLabels(svc: KubeObject, controllerName: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED.has(k)) labels[k] = v;
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = controllerName;
  return labels;
}

/** ownedBy: the slice names the Service (by uid) among its owners. */
export function ownedBy(slice: KubeObject, owner: KubeObject, kind = 'Service'): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid && o.kind === kind && o.apiVersion === 'v1');
}
