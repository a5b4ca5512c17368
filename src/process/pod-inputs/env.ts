// A container's environment as the kubelet builds it (makeEnvironmentVariables) and containerd
// merges it over the image's (image env first, a container variable replacing an image variable
// in place):
//
//   service links   <NAME>_SERVICE_HOST, _SERVICE_PORT[_<PORT NAME>], _PORT, _PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]
//                   for Services with a cluster IP in the pod's namespace (enableServiceLinks) and
//                   always for `kubernetes` in `default`
//   envFrom         configMapRef / secretRef data, prefixed; invalid names skipped with a warning
//   env             value (with $(VAR) against envFrom, earlier env and service links) or valueFrom
//
// envFrom and env override service links. A missing required ConfigMap, Secret or key fails the
// container with the kubelet's CreateContainerConfigError message.
import type { KubeObject } from '../../api/meta/types.ts';
import { isEnvVarName } from '../../api/validation/names.ts';
import { expand, mappingFor } from './expand.ts';
import { type NodeFacts, podFieldValue, resourceFieldValue } from './fieldpath.ts';
import type { Container, Pod } from './types.ts';

export interface ConfigMapLike {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface SecretLike {
  /** base64 values, as the API serves them. */
  data?: Record<string, string>;
}

export interface ServiceLike extends KubeObject {
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

export interface EnvContext extends NodeFacts {
  configMap(namespace: string, name: string): ConfigMapLike | undefined;
  secret(namespace: string, name: string): SecretLike | undefined;
  /** Services of a namespace (called for the pod's namespace and for `default`). */
  services(namespace: string): readonly ServiceLike[];
  /** The image config's `KEY=value` entries. */
  imageEnv?: readonly string[];
}

export interface EnvEvent {
  type: 'Warning';
  reason: string;
  message: string;
}

export interface ContainerEnv {
  /** What the process gets: image variables first, then the container's. */
  env: [string, string][];
  /** The kubelet's variables alone: what command, args and subPathExpr expand against. */
  containerEnv: [string, string][];
  /** The first failure (the container is not started); the kubelet stops there too. */
  error?: string;
  events: EnvEvent[];
}

const isServiceIPSet = (s: ServiceLike) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None';

const envName = (s: string) => s.toUpperCase().replaceAll('-', '_');

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** Variables for the given Services, in their order (envvars.FromServices). */
export function serviceEnvVars(services: readonly ServiceLike[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const ports = svc.spec?.ports ?? [];
    if (!isServiceIPSet(svc) || ports.length === 0) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = envName(svc.metadata.name ?? '');
    out.push([`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = (p.protocol || 'TCP').toLowerCase();
      const url = `${proto}://${hostPort(ip, p.port)}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/**
 * The Services a pod sees (getServiceEnvVarMap): `kubernetes` from `default` always, the pod's
 * namespace's when service links are on (a namespace's own `kubernetes` Service replaces the
 * master's variables, as upstream's map assignment does). Sorted by name.
 */
export function visibleServices(namespace: string, enableServiceLinks: boolean, ctx: Pick<EnvContext, 'services'>): ServiceLike[] {
  const byName = new Map<string, ServiceLike>();
  const master = ctx.services('default').find((s) => s.metadata.name === 'kubernetes' && isServiceIPSet(s));
  if (master) byName.set('kubernetes', master);
  if (enableServiceLinks) {
    for (const s of ctx.services(namespace)) {
      if (isServiceIPSet(s)) byName.set(s.metadata.name ?? '', s);
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k)!);
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** The environment of one container of a pod on this node. */
export function containerEnv(pod: Pod, container: Container, ctx: EnvContext): ContainerEnv {
  const ns = pod.metadata.namespace ?? 'default';
  const events: EnvEvent[] = [];
  const serviceEnv = new Map(serviceEnvVars(visibleServices(ns, pod.spec?.enableServiceLinks !== false, ctx)));
  const tmp = new Map<string, string>();
  const configMaps = new Map<string, ConfigMapLike>();
  const secrets = new Map<string, SecretLike>();
  const getConfigMap = (name: string, optional: boolean) => {
    let cm = configMaps.get(name);
    if (!cm) {
      cm = ctx.configMap(ns, name);
      if (!cm) {
        if (optional) return undefined;
        throw new Error(`configmap "${name}" not found`);
      }
      configMaps.set(name, cm);
    }
    return cm;
  };
  const getSecret = (name: string, optional: boolean) => {
    let s = secrets.get(name);
    if (!s) {
      s = ctx.secret(ns, name);
      if (!s) {
        if (optional) return undefined;
        throw new Error(`secret "${name}" not found`);
      }
      secrets.set(name, s);
    }
    return s;
  };
  const fromData = (data: Record<string, string>, prefix: string, what: string, name: string, value: (v: string) => string) => {
    const invalid: string[] = [];
    for (const [k0, v] of Object.entries(data)) {
      const k = prefix + k0;
      if (isEnvVarName(k).length) invalid.push(k);
      else tmp.set(k, value(v));
    }
    if (invalid.length) {
      events.push({
        type: 'Warning',
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  };

  let error: string | undefined;
  try {
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) {
        const name = from.configMapRef.name ?? '';
        const cm = getConfigMap(name, from.configMapRef.optional === true);
        if (cm) fromData(cm.data ?? {}, from.prefix ?? '', 'configMap', name, (v) => v);
      } else if (from.secretRef) {
        const name = from.secretRef.name ?? '';
        const s = getSecret(name, from.secretRef.optional === true);
        if (s) fromData(s.data ?? {}, from.prefix ?? '', 'secret', name, decode);
      }
    }
    const mapping = mappingFor(tmp, serviceEnv);
    for (const e of container.env ?? []) {
      let value = e.value ?? '';
      const src = e.valueFrom;
      if (value !== '') value = expand(value, mapping);
      else if (src?.fieldRef) value = podFieldValue(pod, src.fieldRef.fieldPath, ctx);
      else if (src?.resourceFieldRef) value = resourceFieldValue(pod, container, src.resourceFieldRef, ctx);
      else if (src?.configMapKeyRef) {
        const { name = '', key, optional = false } = src.configMapKeyRef;
        const cm = getConfigMap(name, optional);
        if (!cm) continue;
        const v = cm.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new Error(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (src?.secretKeyRef) {
        const { name = '', key, optional = false } = src.secretKeyRef;
        const s = getSecret(name, optional);
        if (!s) continue;
        const v = s.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new Error(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = decode(v);
      }
      tmp.set(e.name, value);
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }

  const own = new Map(serviceEnv);
  for (const [k, v] of tmp) own.set(k, v);
  const containerVars = [...own];
  const merged = new Map<string, string>();
  for (const entry of ctx.imageEnv ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of containerVars) merged.set(k, v);
  return { env: [...merged], containerEnv: containerVars, events, ...(error !== undefined ? { error } : {}) };
}

/** `KEY=value` strings for execve. */
export const envStrings = (env: readonly (readonly [string, string])[]): string[] => env.map(([k, v]) => `${k}=${v}`);
