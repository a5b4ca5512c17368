// Container validation from pkg/apis/core/validation/validation.go: validateContainers,
// validateContainerCommon, validateContainerPorts, ValidateEnv, ValidateVolumeMounts,
// validateProbe, validateHandler, ValidateResourceRequirements, checkHostPortConflicts.
import { type FieldError, duplicate, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import { type Obj, arrAt, isObj, objAt, objs } from '../validation/json.ts';
import { validateNonnegative } from '../validation/int-or-percent.ts';
import { isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from '../validation/names.ts';
import { QUANTITY_FORMAT_ERROR, compareQuantities, isValidQuantity, parseQuantity } from '../validation/quantity.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const notFoundErr = (field: string, value: unknown): FieldError => ({ type: 'Not found', field, value });

export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalidValue(path, port, m));
  if (typeof port === 'string') {
    if (port === '') return [required(path)];
    return isValidPortName(port).map((m) => invalidValue(path, port, m));
  }
  return [invalidValue(path, port ?? null, 'must be an integer or string')];
}

export function validateContainerPorts(ports: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p: Obj = isObj(raw) ? raw : {};
    const ip = `${path}[${i}]`;
    if (typeof p.name === 'string' && p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(invalidValue(`${ip}.name`, p.name, m));
      else if (names.has(p.name)) errs.push(duplicate(`${ip}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${ip}.containerPort`));
    else for (const m of isValidPortNum(Number(p.containerPort))) errs.push(invalidValue(`${ip}.containerPort`, p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(Number(p.hostPort))) errs.push(invalidValue(`${ip}.hostPort`, p.hostPort, m));
    if (!p.protocol) errs.push(required(`${ip}.protocol`));
    else if (!PROTOCOLS.includes(String(p.protocol))) errs.push(notSupported(`${ip}.protocol`, p.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((raw, i) => {
    const e: Obj = isObj(raw) ? raw : {};
    const name = typeof e.name === 'string' ? e.name : '';
    if (!name) errs.push(required(`${path}[${i}].name`));
    else for (const m of isEnvVarName(name)) errs.push(invalidValue(`${path}[${i}].name`, name, m));
  });
  return errs;
}

function validateHandler(h: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'].filter((k) => isObj(h[k]));
  if (kinds.length === 0) return [required(path, 'must specify a handler type')];
  if (kinds.length > 1) errs.push({ type: 'Forbidden', field: `${path}.${kinds[1]}`, detail: 'may not specify more than 1 handler type' });
  const exec = objAt(h, 'exec');
  if (exec && arrAt(exec, 'command').length === 0) errs.push(required(`${path}.exec.command`));
  const http = objAt(h, 'httpGet');
  if (http) {
    if (!http.path) errs.push(required(`${path}.httpGet.path`));
    errs.push(...validatePortNumOrName(http.port, `${path}.httpGet.port`));
    if (http.scheme !== 'HTTP' && http.scheme !== 'HTTPS') errs.push(notSupported(`${path}.httpGet.scheme`, http.scheme ?? '', ['HTTP', 'HTTPS']));
  }
  const tcp = objAt(h, 'tcpSocket');
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  const grpc = objAt(h, 'grpc');
  if (grpc) for (const m of isValidPortNum(Number(grpc.port))) errs.push(invalidValue(`${path}.grpc.port`, grpc.port ?? 0, m));
  return errs;
}

function validateProbe(p: Obj, path: string, mustBeOneSuccess: boolean): FieldError[] {
  const errs = validateHandler(p, path);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds']) {
    errs.push(...validateNonnegative(p[k], `${path}.${k}`));
  }
  if (mustBeOneSuccess && typeof p.successThreshold === 'number' && p.successThreshold !== 1) {
    errs.push(invalidValue(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateResources(res: Obj | undefined, path: string): FieldError[] {
  if (!res) return [];
  const errs: FieldError[] = [];
  const limits = objAt(res, 'limits') ?? {};
  const requests = objAt(res, 'requests') ?? {};
  for (const [part, list] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(list)) {
      const p = `${path}.${part}[${name}]`;
      if (!isValidQuantity(q)) errs.push(invalidValue(p, q, QUANTITY_FORMAT_ERROR));
      else if ((parseQuantity(q) ?? 0) < 0) errs.push(invalidValue(p, q, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit !== undefined && isValidQuantity(q) && isValidQuantity(limit) && compareQuantities(q, limit) > 0) {
      errs.push(invalidValue(`${path}.requests`, q, `must be less than or equal to ${name} limit of ${String(limit)}`));
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: unknown[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((raw, i) => {
    const m: Obj = isObj(raw) ? raw : {};
    const p = `${path}[${i}]`;
    const name = typeof m.name === 'string' ? m.name : '';
    if (!name) errs.push(required(`${p}.name`));
    else if (!volumes.has(name)) errs.push(notFoundErr(`${p}.name`, name));
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    if (!mountPath) errs.push(required(`${p}.mountPath`));
    else if (paths.has(mountPath)) errs.push(invalidValue(`${p}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    if (m.subPath && typeof m.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalidValue(`${p}.subPath`, m.subPath, m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'"));
    }
  });
  return errs;
}

export interface ContainerContext {
  /** Names that volumeMounts may reference (pod volumes, plus claim templates in a StatefulSet). */
  volumes: Set<string>;
  /** Container names already used by other lists of the same pod. */
  names: Set<string>;
  init?: boolean;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

export function validateContainers(list: unknown[], ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list.forEach((raw, i) => {
    const c: Obj = isObj(raw) ? raw : {};
    const p = `${path}[${i}]`;
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) errs.push(required(`${p}.name`));
    else for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${p}.name`, name, m));
    if (name && ctx.names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name) ctx.names.add(name);
    if (typeof c.image !== 'string' || c.image === '') errs.push(required(`${p}.image`));
    if (!c.imagePullPolicy) errs.push(required(`${p}.imagePullPolicy`));
    else if (!PULL_POLICIES.includes(String(c.imagePullPolicy))) errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    if (!c.terminationMessagePolicy) errs.push(required(`${p}.terminationMessagePolicy`));
    else if (!MESSAGE_POLICIES.includes(String(c.terminationMessagePolicy))) {
      errs.push(notSupported(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, MESSAGE_POLICIES));
    }
    errs.push(...validateContainerPorts(arrAt(c, 'ports'), `${p}.ports`));
    errs.push(...validateEnv(arrAt(c, 'env'), `${p}.env`));
    errs.push(...validateVolumeMounts(arrAt(c, 'volumeMounts'), ctx.volumes, `${p}.volumeMounts`));
    errs.push(...validateResources(objAt(c, 'resources'), `${p}.resources`));
    const sidecar = ctx.init && c.restartPolicy === 'Always';
    if (ctx.init && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
      errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    for (const [probe, oneSuccess] of [['livenessProbe', true], ['readinessProbe', false], ['startupProbe', true]] as const) {
      const pr = objAt(c, probe);
      if (!pr) continue;
      if (ctx.init && !sidecar) errs.push({ type: 'Forbidden', field: `${p}.${probe}`, detail: 'may not be set for init containers without restartPolicy=Always' });
      else errs.push(...validateProbe(pr, `${p}.${probe}`, oneSuccess));
    }
    const lifecycle = objAt(c, 'lifecycle');
    for (const hook of ['postStart', 'preStop']) {
      const h = objAt(lifecycle, hook);
      if (h) errs.push(...validateHandler(h, `${p}.lifecycle.${hook}`));
    }
  });
  return errs;
}

/** Two containers may not claim the same hostPort/protocol (checkHostPortConflicts). */
export function checkHostPortConflicts(containers: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    objs(arrAt(c, 'ports')).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${String(port.hostIP ?? '')}/${String(port.hostPort)}/${String(port.protocol ?? 'TCP')}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, `${String(port.hostPort)}/${String(port.protocol ?? 'TCP')}`));
      seen.add(key);
    });
  });
  return errs;
}
