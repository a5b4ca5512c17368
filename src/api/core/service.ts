// Service defaulting and validation: pkg/apis/core/v1/defaults.go SetDefaults_Service,
// pkg/apis/core/validation/validation.go ValidateService{,Update} (ports, selector, session
// affinity, cluster IPs, traffic policies) and pkg/registry/core/service (NormalizeClusterIPs,
// patchAllocatedValues, IP-family initialisation after allocation).
import { type FieldError, duplicate, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, arrAt, child, clone, isObj, objAt, objs, stringMap } from '../validation/json.ts';
import { IP_ERROR, isValidIPAddress } from '../validation/ip.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from '../validation/names.ts';
import { validateLabels } from '../validation/object-meta.ts';
import { validatePortNumOrName } from './containers.ts';

const specOf = (svc: KubeObject): Obj => child(svc as Obj, 'spec');
const NONE = 'None';

export function setServiceDefaults(svc: KubeObject): void {
  const spec = specOf(svc);
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = objAt(objAt(spec, 'sessionAffinityConfig'), 'clientIP');
    if (!cfg || typeof cfg.timeoutSeconds !== 'number') spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of objs(arrAt(spec, 'ports'))) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port ?? 0;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
}

function clusterIPs(spec: Obj): string[] {
  return arrAt(spec, 'clusterIPs').map(String);
}

export function isHeadless(svc: KubeObject): boolean {
  const ips = clusterIPs(specOf(svc));
  return ips.length === 1 && ips[0] === NONE;
}

/** Whether the registry must allocate a cluster IP for this Service (not ExternalName, not headless, none given). */
export function needsClusterIPAllocation(svc: KubeObject): boolean {
  const spec = specOf(svc);
  return spec.type !== 'ExternalName' && !spec.clusterIP;
}

/**
 * NormalizeClusterIPs: keeps clusterIP and clusterIPs in step for clients that set only the
 * singular field. `old` is undefined on create.
 */
export function normalizeClusterIPs(svc: KubeObject, old?: KubeObject): void {
  const spec = specOf(svc);
  const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  if (!old) {
    if (ip && clusterIPs(spec).length === 0) spec.clusterIPs = [ip];
    return;
  }
  const prev = specOf(old);
  const prevIP = typeof prev.clusterIP === 'string' ? prev.clusterIP : '';
  const same = JSON.stringify(clusterIPs(prev)) === JSON.stringify(clusterIPs(spec));
  if (clusterIPs(prev).length > 0 && clusterIPs(spec).length === 0 && prevIP === ip) spec.clusterIPs = clone(prev.clusterIPs);
  if (prevIP !== ip) {
    if (prevIP && !ip && same) delete spec.clusterIPs;
    if (ip && JSON.stringify(clusterIPs(prev)) === JSON.stringify(clusterIPs(spec))) spec.clusterIPs = [ip];
  }
}

/** patchAllocatedValues: an update that omits allocated values keeps the stored ones. */
export function patchAllocatedValues(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const prev = specOf(old);
  if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName') {
    if (!spec.clusterIP && prev.clusterIP) spec.clusterIP = prev.clusterIP;
    if (clusterIPs(spec).length === 0 && clusterIPs(prev).length > 0) spec.clusterIPs = clone(prev.clusterIPs);
    if (spec.ipFamilies === undefined && prev.ipFamilies !== undefined) spec.ipFamilies = clone(prev.ipFamilies);
    if (spec.ipFamilyPolicy === undefined && prev.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = prev.ipFamilyPolicy;
  }
  const needsNodePort = (t: unknown) => t === 'NodePort' || t === 'LoadBalancer';
  if (needsNodePort(spec.type) && needsNodePort(prev.type)) {
    const prevPorts = objs(arrAt(prev, 'ports'));
    for (const p of objs(arrAt(spec, 'ports'))) {
      if (p.nodePort) continue;
      const match = prevPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (!spec.healthCheckNodePort && prev.healthCheckNodePort && spec.externalTrafficPolicy === 'Local' && spec.type === 'LoadBalancer') {
    spec.healthCheckNodePort = prev.healthCheckNodePort;
  }
}

const needsNodePortsOf = (spec: Obj) => spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
const sameJSON = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * dropTypeDependentFields: a type change clears the values the old type needed and the new one
 * forbids, when the client left them as they were (so `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'`
 * on a NodePort Service works without naming every nodePort).
 */
export function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const prev = specOf(old);
  if (spec.type === 'ExternalName' && prev.type !== 'ExternalName') {
    if (sameJSON(spec.clusterIPs, prev.clusterIPs) && spec.clusterIP === prev.clusterIP) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJSON(spec.ipFamilies, prev.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === prev.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePortsOf(prev) && !needsNodePortsOf(spec)) {
    const before = objs(arrAt(prev, 'ports'));
    for (const p of objs(arrAt(spec, 'ports'))) {
      const match = before.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort && match && match.nodePort === p.nodePort) delete p.nodePort;
    }
  }
  const needsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && spec.healthCheckNodePort && spec.healthCheckNodePort === prev.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  if (spec.type !== 'LoadBalancer' && spec.loadBalancerClass === prev.loadBalancerClass) delete spec.loadBalancerClass;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || arrAt(spec, 'externalIPs').length > 0;
  if (!external && spec.externalTrafficPolicy && spec.externalTrafficPolicy === prev.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type === 'ExternalName') delete spec.internalTrafficPolicy;
  else if (!spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
}

export interface ClusterIPAssignment {
  /** The allocated IP (undefined for headless and ExternalName Services). */
  ip?: string;
  /** The cluster's service IP families, primary first. */
  clusterFamilies?: string[];
}

/**
 * The hook the registry calls on create once it has allocated (or decided not to allocate) a
 * cluster IP: fills clusterIP(s), ipFamilies and ipFamilyPolicy as upstream's service REST does.
 * Headless Services without a selector get every cluster family and RequireDualStack.
 */
export function applyClusterIPAssignment(svc: KubeObject, a: ClusterIPAssignment = {}): void {
  const spec = specOf(svc);
  if (spec.type === 'ExternalName') return;
  const families = a.clusterFamilies?.length ? a.clusterFamilies : ['IPv4'];
  if (a.ip && !spec.clusterIP) {
    spec.clusterIP = a.ip;
    spec.clusterIPs = [a.ip];
  }
  if (spec.clusterIP === NONE && Object.keys(stringMap(spec.selector)).length === 0) {
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'RequireDualStack';
    if (arrAt(spec, 'ipFamilies').length === 0) spec.ipFamilies = [...families];
    return;
  }
  if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
  if (arrAt(spec, 'ipFamilies').length === 0) {
    const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    spec.ipFamilies = [ip && ip !== NONE ? (ip.includes(':') ? 'IPv6' : 'IPv4') : families[0]];
  }
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateServicePort(p: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof p.name === 'string' ? p.name : '';
  if (requireName && !name) errs.push(required(`${path}.name`));
  else if (name) {
    for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${path}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  for (const m of isValidPortNum(Number(p.port ?? 0))) errs.push(invalidValue(`${path}.port`, p.port ?? 0, m));
  if (!p.protocol) errs.push(required(`${path}.protocol`));
  else if (!['SCTP', 'TCP', 'UDP'].includes(String(p.protocol))) errs.push(notSupported(`${path}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  errs.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
  if (typeof p.appProtocol === 'string') for (const m of isQualifiedName(p.appProtocol)) errs.push(invalidValue(`${path}.appProtocol`, p.appProtocol, m));
  return errs;
}

function validateClusterIPFields(spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = clusterIPs(spec);
  const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  if (ip) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== ip) errs.push(invalidValue('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) errs.push(invalidValue('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  const seen = new Set<string>();
  arrAt(spec, 'ipFamilies').forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(String(f))) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(String(f));
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !policies.includes(String(spec.ipFamilyPolicy))) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, policies));
  }
  ips.forEach((v, i) => {
    if (i === 0 && v === NONE) {
      if (ips.length > 1) errs.push(invalidValue('spec.clusterIPs', ips, "'None' must be the first and only value"));
      return;
    }
    if (v !== '' && !isValidIPAddress(v)) errs.push(invalidValue(`spec.clusterIPs[${i}]`, v, IP_ERROR));
  });
  if (ips.length > 2) errs.push(invalidValue('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (ips.length > 1) errs.push(invalidValue('spec.clusterIPs', ips, "must be at most one value when `ipFamilyPolicy` is 'SingleStack'"));
    if (arrAt(spec, 'ipFamilies').length > 1) errs.push(invalidValue('spec.ipFamilies', spec.ipFamilies, "must be at most one value when `ipFamilyPolicy` is 'SingleStack'"));
  }
  return errs;
}

/** ValidateService without the metadata part (the strategy adds the DNS-1035 name rule). */
export function validateServiceSpec(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(svc.spec) ? svc.spec : {};
  const ports = objs(arrAt(spec, 'ports'));
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  const ips = clusterIPs(spec);
  if (spec.type === 'LoadBalancer' && headless) errs.push(invalidValue('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for LoadBalancer services"));
  if (spec.type === 'NodePort' && headless) errs.push(invalidValue('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for NodePort services"));
  if (spec.type === 'ExternalName') {
    if (ips.length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arrAt(spec, 'ipFamilies').length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalidValue('spec.externalName', cname, m));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity;
  if (!affinity) errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const timeout = (objAt(objAt(spec, 'sessionAffinityConfig'), 'clientIP') ?? {}).timeoutSeconds;
    if (typeof timeout !== 'number' || timeout <= 0 || timeout > 86400) {
      errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout ?? 0, 'must be greater than 0 and less than 86400'));
    }
  } else if (affinity === 'None' && isObj(spec.sessionAffinityConfig)) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(spec));
  arrAt(spec, 'externalIPs').forEach((ip, i) => {
    if (!isValidIPAddress(String(ip))) errs.push(invalidValue(`spec.externalIPs[${i}]`, ip, IP_ERROR));
  });
  if (!spec.type) errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(String(spec.type))) errs.push(notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${String(p.protocol)}/${String(p.nodePort)}`;
      if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(k);
    }
    const key = `${String(p.protocol)}/${String(p.port)}`;
    if (portKeys.has(key)) errs.push(duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }));
    portKeys.add(key);
  });
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || arrAt(spec, 'externalIPs').length > 0;
  if (!external) {
    if (spec.externalTrafficPolicy) errs.push(invalidValue('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) errs.push(required('spec.externalTrafficPolicy'));
  else if (spec.externalTrafficPolicy !== 'Cluster' && spec.externalTrafficPolicy !== 'Local') {
    errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(String(spec.type))) errs.push(required('spec.internalTrafficPolicy'));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  return errs;
}

/** ValidateServiceUpdate's cluster-IP rule: a set primary IP never changes (unless to/from ExternalName). */
export function validateClusterIPUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(svc);
  const prev = specOf(old);
  if (spec.type === 'ExternalName' || prev.type === 'ExternalName') return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const next = clusterIPs(spec);
  const before = clusterIPs(prev);
  const errs: FieldError[] = [];
  if (before.length === next.length) {
    before.forEach((ip, i) => {
      if (ip !== next[i]) errs.push(invalidValue(`spec.clusterIPs[${i}]`, next, 'may not change once set'));
    });
  } else if (before.length > next.length) {
    if (next.length === 0) errs.push(invalidValue('spec.clusterIPs[0]', next, 'primary clusterIP can not be unset'));
    else if (next[0] !== before[0]) errs.push(invalidValue('spec.clusterIPs[0]', next, 'may not change once set'));
  } else if (before.length > 0 && next[0] !== before[0]) {
    errs.push(invalidValue('spec.clusterIPs[0]', next, 'may not change once set'));
  }
  return errs;
}
