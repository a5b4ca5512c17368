import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { BUILTIN_RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import { printTable } from './table.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');
const DAY = 86400;

function info(group: string, resource: string): ResourceInfo {
  const r = BUILTIN_RESOURCES.find((x) => x.group === group && x.resource === resource);
  if (!r) throw new Error(`no resource ${group}/${resource}`);
  return r;
}

function obj(name: string, fields: object = {}, meta: object = {}): KubeObject {
  return { metadata: { name, namespace: 'default', creationTimestamp: ago(3 * DAY + 7200), ...meta }, ...fields };
}

const template = (containers: [string, string][], extra: object = {}) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: containers.map(([name, image]) => ({ name, image })), ...extra },
});

interface Case {
  resource: ResourceInfo;
  object: KubeObject;
  columns: string[];
  cells: unknown[];
}

const CASES: Record<string, Case> = {
  node: {
    resource: info('', 'nodes'),
    object: obj('node-1', {
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.35.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'k8ts://0.1.0' },
      },
    }, { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'infra' } }),
    columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
    cells: ['node-1', 'Ready,SchedulingDisabled', 'control-plane,infra,worker', '3d2h', 'v1.35.0', '10.0.0.2', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'k8ts://0.1.0'],
  },
  'node without conditions': {
    resource: info('', 'nodes'),
    object: obj('node-2', { status: {} }),
    columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
    cells: ['node-2', 'Unknown', '<none>', '3d2h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  'service (ClusterIP)': {
    resource: info('', 'services'),
    object: obj('web', { spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'a', app: 'web' } } }),
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '3d2h', 'app=web,tier=a'],
  },
  'service (headless, no ports)': {
    resource: info('', 'services'),
    object: obj('web', { spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } }),
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['web', 'ClusterIP', 'None', '<none>', '<none>', '3d2h', '<none>'],
  },
  'service (LoadBalancer pending, NodePort)': {
    resource: info('', 'services'),
    object: obj('lb', { spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }, status: { loadBalancer: {} } }),
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['lb', 'LoadBalancer', '10.96.0.11', '<pending>', '80:30080/TCP', '3d2h', '<none>'],
  },
  endpoints: {
    resource: info('', 'endpoints'),
    object: obj('web', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::3' }], ports: [{ port: 80 }, { port: 443 }] }] }),
    columns: ['Name', 'Endpoints', 'Age'],
    cells: ['web', '10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 3 more...', '3d2h'],
  },
  endpointslice: {
    resource: info('discovery.k8s.io', 'endpointslices'),
    object: obj('web-abc', { addressType: 'IPv4', ports: [{ port: 80 }, { name: 'metrics' }, {}], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] }),
    columns: ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
    cells: ['web-abc', 'IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2', '3d2h'],
  },
  statefulset: {
    resource: info('apps', 'statefulsets'),
    object: obj('web', { spec: { replicas: 3, template: template([['nginx', 'nginx:1.27'], ['sidecar', 'busybox']]) }, status: { readyReplicas: 2 } }),
    columns: ['Name', 'Ready', 'Age', 'Containers', 'Images'],
    cells: ['web', '2/3', '3d2h', 'nginx,sidecar', 'nginx:1.27,busybox'],
  },
  daemonset: {
    resource: info('apps', 'daemonsets'),
    object: obj('agent', {
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template([['agent', 'agent:1']], { nodeSelector: { 'kubernetes.io/os': 'linux' } }) },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    }),
    columns: ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '3d2h', 'agent', 'agent:1', 'app=agent'],
  },
  deployment: {
    resource: info('apps', 'deployments'),
    object: obj('web', {
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template: template([['nginx', 'nginx']]) },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    }),
    columns: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['web', '1/2', 2, 1, '3d2h', 'nginx', 'nginx', 'app=web,env in (dev,prod)'],
  },
  replicaset: {
    resource: info('apps', 'replicasets'),
    object: obj('web-5d4f', { spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template([['nginx', 'nginx']]) }, status: { replicas: 2, readyReplicas: 2 } }),
    columns: ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['web-5d4f', 2, 2, 2, '3d2h', 'nginx', 'nginx', 'app=web'],
  },
  controllerrevision: {
    resource: info('apps', 'controllerrevisions'),
    object: obj('web-7b9c', { revision: 3 }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }),
    columns: ['Name', 'Controller', 'Revision', 'Age'],
    cells: ['web-7b9c', 'statefulset.apps/web', 3, '3d2h'],
  },
  'job (complete)': {
    resource: info('batch', 'jobs'),
    object: obj('pi', {
      spec: { completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: template([['pi', 'perl']]) },
      status: { succeeded: 1, startTime: ago(600), completionTime: ago(400), conditions: [{ type: 'Complete', status: 'True' }] },
    }),
    columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['pi', 'Complete', '1/1', '3m20s', '3d2h', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u'],
  },
  'job (running, parallel)': {
    resource: info('batch', 'jobs'),
    object: obj('work', { spec: { parallelism: 3, template: template([['w', 'w']]) }, status: { startTime: ago(90) } }),
    columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['work', 'Running', '0/1 of 3', '90s', '3d2h', 'w', 'w', '<none>'],
  },
  cronjob: {
    resource: info('batch', 'cronjobs'),
    object: obj('tick', { spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: template([['tick', 'busybox']]) } } }, status: { active: [{ name: 'tick-1' }], lastScheduleTime: ago(62) } }),
    columns: ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['tick', '*/5 * * * *', '<none>', 'False', 1, '62s', '3d2h', 'tick', 'busybox', '<none>'],
  },
  pvc: {
    resource: info('', 'persistentvolumeclaims'),
    object: obj('data-web-0', { spec: { volumeName: 'pvc-123', storageClassName: 'standard', volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } }),
    columns: ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
    cells: ['data-web-0', 'Bound', 'pvc-123', '1Gi', 'RWO,RWX', 'standard', '<unset>', '3d2h', 'Filesystem'],
  },
  'pvc (pending)': {
    resource: info('', 'persistentvolumeclaims'),
    object: obj('data-web-1', { spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } }),
    columns: ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
    cells: ['data-web-1', 'Pending', '', '', '', 'standard', '<unset>', '3d2h', '<unset>'],
  },
  pv: {
    resource: info('', 'persistentvolumes'),
    object: obj('pvc-123', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data-web-0' }, storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound' } }),
    columns: ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode'],
    cells: ['pvc-123', '1Gi', 'RWO', 'Delete', 'Bound', 'default/data-web-0', 'standard', '<unset>', '', '3d2h', 'Filesystem'],
  },
  storageclass: {
    resource: info('storage.k8s.io', 'storageclasses'),
    object: obj('standard', { provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
    columns: ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
    cells: ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '3d2h'],
  },
  event: {
    resource: info('', 'events'),
    object: obj('web-0.17a', {
      involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{nginx}' }, reason: 'Pulled', type: 'Normal',
      message: 'Successfully pulled image\n', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(600), lastTimestamp: ago(30), count: 4,
    }),
    columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
    cells: ['30s', 'Normal', 'Pulled', 'pod/web-0', 'spec.containers{nginx}', 'kubelet, node-1', 'Successfully pulled image', '10m', 4, 'web-0.17a'],
  },
  'event (new API, series)': {
    resource: info('', 'events'),
    object: obj('web.17b', { involvedObject: { kind: 'StatefulSet', name: 'web' }, reason: 'SuccessfulCreate', type: 'Normal', message: 'create Pod web-0', eventTime: ago(120), reportingComponent: 'statefulset-controller', series: { count: 7, lastObservedTime: ago(5) } }),
    columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
    cells: ['5s', 'Normal', 'SuccessfulCreate', 'statefulset/web', '', 'statefulset-controller', 'create Pod web-0', '2m', 7, 'web.17b'],
  },
  namespace: {
    resource: info('', 'namespaces'),
    object: obj('team-a', { status: { phase: 'Active' } }),
    columns: ['Name', 'Status', 'Age'],
    cells: ['team-a', 'Active', '3d2h'],
  },
  configmap: {
    resource: info('', 'configmaps'),
    object: obj('cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
    columns: ['Name', 'Data', 'Age'],
    cells: ['cfg', 3, '3d2h'],
  },
  secret: {
    resource: info('', 'secrets'),
    object: obj('sh.helm.release.v1.web.v1', { type: 'helm.sh/release.v1', data: { release: 'H4sI' } }),
    columns: ['Name', 'Type', 'Data', 'Age'],
    cells: ['sh.helm.release.v1.web.v1', 'helm.sh/release.v1', 1, '3d2h'],
  },
  serviceaccount: {
    resource: info('', 'serviceaccounts'),
    object: obj('default'),
    columns: ['Name', 'Secrets', 'Age'],
    cells: ['default', 0, '3d2h'],
  },
  lease: {
    resource: info('coordination.k8s.io', 'leases'),
    object: obj('node-1', { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }),
    columns: ['Name', 'Holder', 'Age'],
    cells: ['node-1', 'node-1', '3d2h'],
  },
  ingress: {
    resource: info('networking.k8s.io', 'ingresses'),
    object: obj('web', { spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'c.example.com' }, { host: 'd.example.com' }] }, status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }, { hostname: 'lb.example.com' }] } } }),
    columns: ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
    cells: ['web', 'nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '192.168.1.10,lb.example.com', '80, 443', '3d2h'],
  },
  ingressclass: {
    resource: info('networking.k8s.io', 'ingressclasses'),
    object: obj('nginx', { spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } }),
    columns: ['Name', 'Controller', 'Parameters', 'Age'],
    cells: ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '3d2h'],
  },
  networkpolicy: {
    resource: info('networking.k8s.io', 'networkpolicies'),
    object: obj('deny-all', { spec: { podSelector: {} } }),
    columns: ['Name', 'Pod-Selector', 'Age'],
    cells: ['deny-all', '<none>', '3d2h'],
  },
  poddisruptionbudget: {
    resource: info('policy', 'poddisruptionbudgets'),
    object: obj('web', { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }),
    columns: ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'],
    cells: ['web', '50%', 'N/A', 1, '3d2h'],
  },
  rolebinding: {
    resource: info('rbac.authorization.k8s.io', 'rolebindings'),
    object: obj('read-pods', { roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'User', name: 'joe' }, { kind: 'Group', name: 'ops' }, { kind: 'ServiceAccount', namespace: 'default', name: 'builder' }] }),
    columns: ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
    cells: ['read-pods', 'Role/reader', '3d2h', 'jane, joe', 'ops', 'default/builder'],
  },
  clusterrolebinding: {
    resource: info('rbac.authorization.k8s.io', 'clusterrolebindings'),
    object: obj('admins', { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }),
    columns: ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
    cells: ['admins', 'ClusterRole/cluster-admin', '3d2h', '', '', ''],
  },
  priorityclass: {
    resource: info('scheduling.k8s.io', 'priorityclasses'),
    object: obj('system-node-critical', { value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }),
    columns: ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy'],
    cells: ['system-node-critical', 2000001000, false, '3d2h', 'PreemptLowerPriority'],
  },
  'hpa (v2)': {
    resource: info('autoscaling', 'horizontalpodautoscalers'),
    object: obj('web', {
      apiVersion: 'autoscaling/v2',
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }, { type: 'Pods', pods: { target: { averageValue: '1k' } } }, { type: 'Resource', resource: { name: 'memory', target: { averageValue: '100Mi' } } }],
      },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
    }),
    columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
    cells: ['web', 'Deployment/web', 'cpu: 40%/80%, <unknown>/1k + 1 more...', '1', 5, 2, '3d2h'],
  },
  'hpa (v1)': {
    resource: info('autoscaling', 'horizontalpodautoscalers'),
    object: obj('web', { apiVersion: 'autoscaling/v1', spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 1 } }),
    columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
    cells: ['web', 'Deployment/web', 'cpu: <unknown>/50%', '<unset>', 3, 1, '3d2h'],
  },
  resourcequota: {
    resource: info('', 'resourcequotas'),
    object: obj('compute', { status: { hard: { 'requests.cpu': '2', 'limits.memory': '4Gi', pods: '10', 'limits.cpu': '4' }, used: { 'requests.cpu': '500m', pods: '3' } } }),
    columns: ['Name', 'Request', 'Limit', 'Age'],
    cells: ['compute', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 0/4, limits.memory: 0/4Gi', '3d2h'],
  },
  csidriver: {
    resource: info('storage.k8s.io', 'csidrivers'),
    object: obj('hostpath.csi.k8s.io', { spec: { podInfoOnMount: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] } }),
    columns: ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age'],
    cells: ['hostpath.csi.k8s.io', true, true, false, '<unset>', false, 'Persistent,Ephemeral', '3d2h'],
  },
  csinode: {
    resource: info('storage.k8s.io', 'csinodes'),
    object: obj('node-1', { spec: { drivers: [{ name: 'a' }, { name: 'b' }] } }),
    columns: ['Name', 'Drivers', 'Age'],
    cells: ['node-1', 2, '3d2h'],
  },
  volumeattachment: {
    resource: info('storage.k8s.io', 'volumeattachments'),
    object: obj('csi-123', { spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } }, status: { attached: true } }),
    columns: ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age'],
    cells: ['csi-123', 'hostpath.csi.k8s.io', 'pv-1', 'node-1', true, '3d2h'],
  },
  'role (default table)': {
    resource: info('rbac.authorization.k8s.io', 'roles'),
    object: obj('reader', {}, { creationTimestamp: '2024-04-28T09:59:00Z' }),
    columns: ['Name', 'Created At'],
    cells: ['reader', '2024-04-28T09:59:00Z'],
  },
  'crd (default table)': {
    resource: info('apiextensions.k8s.io', 'customresourcedefinitions'),
    object: obj('widgets.example.com', {}, { creationTimestamp: undefined }),
    columns: ['Name', 'Created At'],
    cells: ['widgets.example.com', '0001-01-01T00:00:00Z'],
  },
};

describe('tables per kind', () => {
  it.each(Object.entries(CASES))('%s', (_, c) => {
    const table = printTable(c.resource, [c.object], { now });
    expect(table.columnDefinitions.map((d) => d.name)).toEqual(c.columns);
    expect(table.rows[0]!.cells).toEqual(c.cells);
    for (const d of table.columnDefinitions) {
      expect(d.description.length).toBeGreaterThan(0);
      expect(d.type).toMatch(/^(string|integer|boolean|date|number)$/);
    }
  });

  it('marks wide-only columns with priority 1 exactly as upstream', () => {
    const wide = (group: string, resource: string) =>
      printTable(info(group, resource), [], { now }).columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name);
    expect(wide('', 'nodes')).toEqual(['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    expect(wide('', 'events')).toEqual(['Subobject', 'Source', 'First Seen', 'Count', 'Name']);
    expect(wide('', 'persistentvolumeclaims')).toEqual(['VolumeMode']);
    expect(wide('apps', 'statefulsets')).toEqual(['Containers', 'Images']);
    expect(wide('', 'services')).toEqual(['Selector']);
    expect(wide('rbac.authorization.k8s.io', 'rolebindings')).toEqual(['Users', 'Groups', 'ServiceAccounts']);
  });
});

describe('printTable envelope', () => {
  const pods = info('', 'pods');
  const p: KubeObject = { metadata: { name: 'web-0', namespace: 'default', uid: 'u1', labels: { app: 'web' }, creationTimestamp: ago(5) }, spec: { containers: [] }, status: {} };

  it('carries PartialObjectMetadata by default, and list metadata', () => {
    const t = printTable(pods, [p], { now, resourceVersion: '1019', continue: 'abc' });
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '1019', continue: 'abc' } });
    expect(t.rows[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
  });

  it('carries the full object, typed, for includeObject=Object', () => {
    const t = printTable(pods, [p], { now, includeObject: 'Object' });
    expect(t.rows[0]!.object).toEqual({ ...p, kind: 'Pod', apiVersion: 'v1' });
  });

  it('carries no object for includeObject=None', () => {
    expect(printTable(pods, [p], { now, includeObject: 'None' }).rows[0]).not.toHaveProperty('object');
  });

  it('drops column definitions with noHeaders', () => {
    const t = printTable(pods, [p], { now, noHeaders: true });
    expect(t.columnDefinitions).toEqual([]);
    expect(t.rows).toHaveLength(1);
  });

  it('keeps empty metadata for an empty list', () => {
    expect(printTable(info('apps', 'statefulsets'), [], { now })).toMatchObject({ metadata: {}, rows: [] });
  });

  it('tolerates bare objects for every served resource', () => {
    for (const r of BUILTIN_RESOURCES) {
      const t = printTable(r, [{ metadata: {} }, { metadata: { name: 'x' }, spec: null, status: null }], { now });
      for (const row of t.rows) expect(row.cells).toHaveLength(t.columnDefinitions.length);
    }
  });
});
