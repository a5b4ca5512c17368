// PodSpec and Pod defaulting as pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Pod,
// _Container, _ContainerPort, _Probe, _HTTPGetAction, _Volume and the volume sources,
// _ObjectFieldSelector). The PodSpec part applies to every pod template (StatefulSet, Deployment,
// Job, …); the Pod part (limits → requests, enableServiceLinks) only to Pod objects.
import { type Obj, arrAt, child, isObj, objAt, objs, setDefault } from '../validation/json.ts';
import { setPvcSpecDefaults } from './pvc-defaults.ts';

/** The tag ParseImageName would report: `latest` when the reference has neither tag nor digest. */
export function imageTag(image: string): string {
  const [beforeDigest, digest] = image.split('@', 2) as [string, string | undefined];
  const lastSlash = beforeDigest.lastIndexOf('/');
  const lastPart = beforeDigest.slice(lastSlash + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon >= 0) return lastPart.slice(colon + 1);
  return digest ? '' : 'latest';
}

export function setContainerDefaults(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const p of objs(arrAt(c, 'ports'))) setDefault(p, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const pr = objAt(c, probe);
    if (pr) setProbeDefaults(pr);
  }
  const lifecycle = objAt(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) {
    const h = objAt(lifecycle, hook);
    if (h) setHandlerDefaults(h);
  }
  for (const env of objs(arrAt(c, 'env'))) setEnvSourceDefaults(objAt(env, 'valueFrom'));
}

function setHandlerDefaults(h: Obj): void {
  const http = objAt(h, 'httpGet');
  if (http) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

export function setProbeDefaults(p: Obj): void {
  for (const [k, v] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === 0) p[k] = v;
  }
  setHandlerDefaults(p);
}

function setEnvSourceDefaults(valueFrom: Obj | undefined): void {
  const fieldRef = objAt(valueFrom, 'fieldRef');
  if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  const resRef = objAt(valueFrom, 'resourceFieldRef');
  if (resRef) setDefault(resRef, 'divisor', '0');
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

export const VOLUME_SOURCE_KEYS: readonly string[] = VOLUME_SOURCES;

export function setVolumeDefaults(v: Obj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = objAt(v, k);
    if (src) setDefault(src, 'defaultMode', 420);
  }
  const hostPath = objAt(v, 'hostPath');
  if (hostPath && hostPath.type === undefined) hostPath.type = '';
  for (const item of objs(arrAt(objAt(v, 'downwardAPI'), 'items'))) {
    const fr = objAt(item, 'fieldRef');
    if (fr) setDefault(fr, 'apiVersion', 'v1');
  }
  for (const src of objs(arrAt(objAt(v, 'projected'), 'sources'))) {
    const token = objAt(src, 'serviceAccountToken');
    if (token) setDefault(token, 'expirationSeconds', 3600);
    for (const item of objs(arrAt(objAt(src, 'downwardAPI'), 'items'))) {
      const fr = objAt(item, 'fieldRef');
      if (fr) setDefault(fr, 'apiVersion', 'v1');
    }
  }
  const claimSpec = objAt(objAt(objAt(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claimSpec) setPvcSpecDefaults(claimSpec);
}

/** SetDefaults_PodSpec and everything nested in it. */
export function setPodSpecDefaults(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, 'schedulerName', 'default-scheduler');
  const containers = [...objs(arrAt(spec, 'containers')), ...objs(arrAt(spec, 'initContainers'))];
  for (const c of [...containers, ...objs(arrAt(spec, 'ephemeralContainers'))]) setContainerDefaults(c);
  if (spec.hostNetwork === true) {
    // With host networking every container port is also a host port.
    for (const c of containers) for (const p of objs(arrAt(c, 'ports'))) if (!p.hostPort) p.hostPort = p.containerPort;
  }
  for (const v of objs(arrAt(spec, 'volumes'))) setVolumeDefaults(v);
}

/** Pod-template defaulting: the PodSpec rules inside `template.spec`. */
export function setPodTemplateSpecDefaults(template: Obj): void {
  setPodSpecDefaults(child(template, 'spec'));
}

/** SetDefaults_Pod on top of the PodSpec ones: requests default to limits; service links on. */
export function setPodDefaults(pod: Obj): void {
  const spec = child(pod, 'spec');
  setPodSpecDefaults(spec);
  for (const c of [...objs(arrAt(spec, 'containers')), ...objs(arrAt(spec, 'initContainers'))]) {
    const res = objAt(c, 'resources');
    const limits = objAt(res, 'limits');
    if (!res || !limits) continue;
    const requests = child(res, 'requests');
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
}
