// Every built-in resource k8ts serves, with upstream's discovery facts (names, short names,
// categories, verbs, subresources). Discovery, routing, OpenAPI and the registry all read this one
// table. Checked against `kubectl api-resources -o wide` on Kubernetes 1.35.

export interface SubresourceInfo {
  name: string;
  /** Kind served by the subresource (Scale, Binding, Eviction, …); defaults to the parent's kind. */
  kind?: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Plural, lowercase: `statefulsets`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources?: SubresourceInfo[];
  /** Served from a CustomResourceDefinition rather than built in. */
  custom?: boolean;
  /** A custom resource's additionalPrinterColumns. */
  printerColumns?: PrinterColumn[];
  /** Create-only and never stored (access reviews, SelfSubjectReview): answered by ApiServerContext.review. */
  virtual?: boolean;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: SubresourceInfo = { name: 'status', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

function r(
  gv: string,
  kind: string,
  resource: string,
  opts: { cluster?: boolean; short?: string[]; cat?: string[]; verbs?: string[]; sub?: SubresourceInfo[] } = {},
): ResourceInfo {
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  const info: ResourceInfo = {
    group,
    version,
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced: !opts.cluster,
    verbs: opts.verbs ?? ALL_VERBS,
  };
  if (opts.short) info.shortNames = opts.short;
  if (opts.cat) info.categories = opts.cat;
  if (opts.sub) info.subresources = opts.sub;
  return info;
}

/** A create-only review kind: the answer is computed from the request and never stored. */
function review(gv: string, kind: string, resource: string, opts: { cluster?: boolean } = {}): ResourceInfo {
  return { ...r(gv, kind, resource, { ...opts, verbs: ['create'] }), virtual: true };
}

export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  // core/v1
  r('v1', 'Binding', 'bindings', { verbs: ['create'] }),
  r('v1', 'ConfigMap', 'configmaps', { short: ['cm'] }),
  r('v1', 'Endpoints', 'endpoints', { short: ['ep'] }),
  r('v1', 'Event', 'events', { short: ['ev'] }),
  r('v1', 'LimitRange', 'limitranges', { short: ['limits'] }),
  r('v1', 'Namespace', 'namespaces', {
    cluster: true,
    short: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    sub: [{ name: 'finalize', verbs: ['update'] }, STATUS],
  }),
  r('v1', 'Node', 'nodes', { cluster: true, short: ['no'], sub: [STATUS] }),
  r('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', { short: ['pvc'], sub: [STATUS] }),
  r('v1', 'PersistentVolume', 'persistentvolumes', { cluster: true, short: ['pv'], sub: [STATUS] }),
  r('v1', 'Pod', 'pods', {
    short: ['po'],
    cat: ['all'],
    sub: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      STATUS,
    ],
  }),
  r('v1', 'PodTemplate', 'podtemplates'),
  r('v1', 'ReplicationController', 'replicationcontrollers', { short: ['rc'], cat: ['all'], sub: [SCALE, STATUS] }),
  r('v1', 'ResourceQuota', 'resourcequotas', { short: ['quota'], sub: [STATUS] }),
  r('v1', 'Secret', 'secrets'),
  r('v1', 'ServiceAccount', 'serviceaccounts', { short: ['sa'], sub: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }] }),
  r('v1', 'Service', 'services', { short: ['svc'], cat: ['all'], sub: [STATUS] }),
  // apps/v1
  r('apps/v1', 'ControllerRevision', 'controllerrevisions'),
  r('apps/v1', 'DaemonSet', 'daemonsets', { short: ['ds'], cat: ['all'], sub: [STATUS] }),
  r('apps/v1', 'Deployment', 'deployments', { short: ['deploy'], cat: ['all'], sub: [SCALE, STATUS] }),
  r('apps/v1', 'ReplicaSet', 'replicasets', { short: ['rs'], cat: ['all'], sub: [SCALE, STATUS] }),
  r('apps/v1', 'StatefulSet', 'statefulsets', { short: ['sts'], cat: ['all'], sub: [SCALE, STATUS] }),
  // authentication.k8s.io/v1 and authorization.k8s.io/v1 reviews
  review('authentication.k8s.io/v1', 'SelfSubjectReview', 'selfsubjectreviews', { cluster: true }),
  review('authorization.k8s.io/v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews'),
  review('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', { cluster: true }),
  review('authorization.k8s.io/v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', { cluster: true }),
  review('authorization.k8s.io/v1', 'SubjectAccessReview', 'subjectaccessreviews', { cluster: true }),
  // autoscaling: v2 is the preferred version; v1 is served from the same objects
  r('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { short: ['hpa'], cat: ['all'], sub: [STATUS] }),
  r('autoscaling/v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { short: ['hpa'], cat: ['all'], sub: [STATUS] }),
  // batch/v1
  r('batch/v1', 'CronJob', 'cronjobs', { short: ['cj'], cat: ['all'], sub: [STATUS] }),
  r('batch/v1', 'Job', 'jobs', { cat: ['all'], sub: [STATUS] }),
  // coordination.k8s.io/v1
  r('coordination.k8s.io/v1', 'Lease', 'leases'),
  // discovery.k8s.io/v1
  r('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices'),
  // events.k8s.io/v1
  r('events.k8s.io/v1', 'Event', 'events', { short: ['ev'] }),
  // networking.k8s.io/v1
  r('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', { cluster: true }),
  r('networking.k8s.io/v1', 'Ingress', 'ingresses', { short: ['ing'], sub: [STATUS] }),
  r('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', { short: ['netpol'] }),
  // policy/v1
  r('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', { short: ['pdb'], sub: [STATUS] }),
  // rbac.authorization.k8s.io/v1
  r('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', { cluster: true }),
  r('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', { cluster: true }),
  r('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
  r('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  // scheduling.k8s.io/v1
  r('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', { cluster: true, short: ['pc'] }),
  // storage.k8s.io/v1
  r('storage.k8s.io/v1', 'CSIDriver', 'csidrivers', { cluster: true }),
  r('storage.k8s.io/v1', 'CSINode', 'csinodes', { cluster: true }),
  r('storage.k8s.io/v1', 'StorageClass', 'storageclasses', { cluster: true, short: ['sc'] }),
  r('storage.k8s.io/v1', 'VolumeAttachment', 'volumeattachments', { cluster: true, sub: [STATUS] }),
  // apiextensions.k8s.io/v1
  r('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
    cluster: true,
    short: ['crd', 'crds'],
    cat: ['api-extensions'],
    sub: [STATUS],
  }),
];

export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/**
 * Resources that share storage across versions (upstream converts between them). The key names
 * the storage; every served version of the resource reads and writes the same objects.
 */
export function storageKeyFor(info: { group: string; resource: string }): string {
  return `${info.group || 'core'}/${info.resource}`;
}
