// What the Endpoints, EndpointSlice and mirroring controllers read from Services and Pods
// (pkg/controller/util/endpoint, staging endpointslice/util, pkg/api/v1/pod FindPort and
// IsPodReady): which pods belong, readiness, hostnames, named target ports, address families.
// Pure functions over plain objects.
import type { KubeObject } from '../../api/meta/types.ts';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  publishNotReadyAddresses?: boolean;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface Container {
  name: string;
  ports?: ContainerPort[];
  restartPolicy?: string;
}

export interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: Container[];
  initContainers?: Container[];
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: PodCondition[];
}

export type AddressType = 'IPv4' | 'IPv6';

/** The legacy spelling of publishNotReadyAddresses. */
export const TOLERATE_UNREADY_ANNOTATION = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** Endpoints used as a leader-election lock are never mirrored. */
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

const EMPTY = Object.freeze({}) as never;

export const svcSpec = (svc: KubeObject): ServiceSpec => (svc.spec as ServiceSpec | undefined) ?? EMPTY;
export const podSpec = (pod: KubeObject): PodSpec => (pod.spec as PodSpec | undefined) ?? EMPTY;
export const podStatus = (pod: KubeObject): PodStatus => (pod.status as PodStatus | undefined) ?? EMPTY;

/**
 * The Service's selector, or undefined for a Service the controllers leave to its user. An empty
 * selector counts as none: upstream's storage drops an empty map, so it reads back as nil.
 */
export function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const sel = svcSpec(svc).selector;
  if (!sel) return undefined;
  for (const _ in sel) return sel;
  return undefined;
}

/** A Service whose endpoints these controllers compute: has a selector and is not ExternalName. */
export const managesEndpoints = (svc: KubeObject): boolean => svcSpec(svc).type !== 'ExternalName' && selectorOf(svc) !== undefined;

/** Labels match a map selector (labels.SelectorFromSet). */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  if (!labels) return false;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** helper.IsServiceIPSet: a cluster IP other than None. */
export function isServiceIPSet(svc: KubeObject): boolean {
  const ip = svcSpec(svc).clusterIP;
  return !!ip && ip !== 'None';
}

export const isHeadlessIP = (svc: KubeObject): boolean => svcSpec(svc).clusterIP === 'None';

/** strconv.ParseBool's true spellings. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** publishNotReadyAddresses, or the legacy annotation set to a true value. */
export function publishNotReady(svc: KubeObject): boolean {
  if (svcSpec(svc).publishNotReadyAddresses === true) return true;
  const v = svc.metadata.annotations?.[TOLERATE_UNREADY_ANNOTATION];
  return v !== undefined && TRUE.has(v);
}

export const isPodReady = (pod: KubeObject): boolean => (podStatus(pod).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
export const isPodTerminal = (pod: KubeObject): boolean => {
  const phase = podStatus(pod).phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** The pod's IPs, from status.podIPs or, failing that, status.podIP. */
export function podIPs(pod: KubeObject): string[] {
  const st = podStatus(pod);
  if (st.podIPs?.length) return st.podIPs.map((p) => p.ip);
  return st.podIP ? [st.podIP] : [];
}

export const isIPv6 = (ip: string): boolean => ip.includes(':');
export const familyOf = (ip: string): AddressType => (isIPv6(ip) ? 'IPv6' : 'IPv4');

/**
 * ShouldPodBeInEndpoints: not terminal (Succeeded/Failed), has an IP, and, unless
 * includeTerminating, not being deleted.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and its subdomain is the Service. */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  const spec = podSpec(pod);
  return !!spec.hostname && spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * FindPort: a numeric targetPort as it is; a named one is looked up among the containers' ports
 * (then restartable init containers', i.e. sidecars) by name and protocol. Undefined when the pod
 * has no such port.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  const spec = podSpec(pod);
  for (const c of spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/**
 * The address family the Endpoints controller publishes for a Service: its first ipFamily, else
 * its cluster IP's, else IPv4.
 */
export function primaryFamily(svc: KubeObject): AddressType {
  const spec = svcSpec(svc);
  const first = spec.ipFamilies?.[0];
  if (first === 'IPv6' || first === 'IPv4') return first;
  if (spec.clusterIP && spec.clusterIP !== 'None') return familyOf(spec.clusterIP);
  return 'IPv4';
}

/**
 * getAddressTypesForService: the Service's ipFamilies; without them its cluster IP's family; a
 * headless Service without families gets both.
 */
export function addressTypesForService(svc: KubeObject): AddressType[] {
  const spec = svcSpec(svc);
  const out: AddressType[] = [];
  for (const f of spec.ipFamilies ?? []) if ((f === 'IPv4' || f === 'IPv6') && !out.includes(f)) out.push(f);
  if (out.length) return out;
  if (spec.clusterIP && spec.clusterIP !== 'None') return [familyOf(spec.clusterIP)];
  return ['IPv4', 'IPv6'];
}

/**
 * The time a pod last changed in a way endpoints care about: its Ready condition's transition
 * (trigger_time_tracker.go getPodTriggerTime); undefined without one.
 */
export function podTriggerTime(pod: KubeObject): number | undefined {
  const ready = (podStatus(pod).conditions ?? []).find((c) => c.type === 'Ready');
  if (!ready?.lastTransitionTime) return undefined;
  const t = Date.parse(ready.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/** RFC 3339 with the nanosecond form Go prints: fraction only when non-zero, trailing zeros cut. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/**
 * Whether a pod update can change its endpoints, and whether it can change which Services select
 * it (podEndpointsChanged): labels, hostname or subdomain for the latter; deletion, readiness,
 * IPs or phase for the former.
 */
export function podEndpointsChanged(old: KubeObject, pod: KubeObject): { changed: boolean; labelsChanged: boolean } {
  const os = podSpec(old);
  const ns = podSpec(pod);
  const labelsChanged = !sameMap(old.metadata.labels, pod.metadata.labels) || os.hostname !== ns.hostname || os.subdomain !== ns.subdomain;
  const changed =
    old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    isPodReady(old) !== isPodReady(pod) ||
    isPodTerminal(old) !== isPodTerminal(pod) ||
    podIPs(old).join(',') !== podIPs(pod).join(',') ||
    os.nodeName !== ns.nodeName;
  return { changed, labelsChanged };
}

export function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === b) return true;
  const ak = a ? Object.keys(a) : [];
  const bk = b ? Object.keys(b) : [];
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (a![k] !== b?.[k]) return false;
  return true;
}
