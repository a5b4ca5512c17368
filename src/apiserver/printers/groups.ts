// Tables for networking, policy, rbac, scheduling, coordination, storage, discovery and
// autoscaling kinds, as upstream's printers (kubernetes pkg/printers/internalversion/printers.go:
// printIngress, printNetworkPolicy, printPodDisruptionBudget, printRoleBinding, printStorageClass,
// printCSIDriver, printEndpointSlice, printHorizontalPodAutoscaler, …).
import { loadBalancerAddresses } from './core.ts';
import { doc } from './descriptions.ts';
import { age, formatLabelSelector, type Loose, listWithMore } from './format.ts';
import { AGE_COL, col, NAME_COL, type Printer } from './types.ts';

const name = (o: Loose): string => o.metadata?.name ?? '';
const intOrString = (v: unknown): string => String(v);

function ingressHosts(rules: Loose[] | undefined): string {
  const list = rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of list) {
    if (hosts.length === 3) more = true;
    if (!more && rule?.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${list.length - 3} more...` : hosts.join(',');
}

const INGRESS: Printer = {
  columns: [
    NAME_COL,
    col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    AGE_COL,
  ],
  row(obj, ctx) {
    const i = obj as Loose;
    const ports = (i.spec?.tls ?? []).length ? '80, 443' : '80';
    return {
      cells: [
        name(i), i.spec?.ingressClassName ?? '<none>', ingressHosts(i.spec?.rules), loadBalancerAddresses(i.status?.loadBalancer),
        ports, age(obj, ctx),
      ],
    };
  },
};

const INGRESS_CLASS: Printer = {
  columns: [
    NAME_COL,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    AGE_COL,
  ],
  row(obj, ctx) {
    const p = (obj as Loose).spec?.parameters;
    const params = p ? `${p.kind ?? ''}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return { cells: [name(obj), (obj as Loose).spec?.controller ?? '', params, age(obj, ctx)] };
  },
};

const NETWORK_POLICY: Printer = {
  columns: [NAME_COL, col('Pod-Selector', doc('NetworkPolicySpec.podSelector')), AGE_COL],
  // podSelector is a struct upstream, so an empty one reads as "<none>".
  row: (obj, ctx) => ({ cells: [name(obj), formatLabelSelector((obj as Loose).spec?.podSelector ?? {}), age(obj, ctx)] }),
};

const POD_DISRUPTION_BUDGET: Printer = {
  columns: [
    NAME_COL,
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', { type: 'integer' }),
    AGE_COL,
  ],
  row(obj, ctx) {
    const s = (obj as Loose).spec ?? {};
    const min = s.minAvailable !== undefined && s.minAvailable !== null ? intOrString(s.minAvailable) : 'N/A';
    const max = s.maxUnavailable !== undefined && s.maxUnavailable !== null ? intOrString(s.maxUnavailable) : 'N/A';
    return { cells: [name(obj), min, max, (obj as Loose).status?.disruptionsAllowed ?? 0, age(obj, ctx)] };
  },
};

/** Users, groups and service accounts (`ns/name`) of a binding, as rbac.SubjectsStrings. */
function subjects(list: Loose[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of list ?? []) {
    if (s?.kind === 'User') users.push(s.name ?? '');
    else if (s?.kind === 'Group') groups.push(s.name ?? '');
    else if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(kind: 'RoleBinding' | 'ClusterRoleBinding', noun: string): Printer {
  return {
    columns: [
      NAME_COL,
      col('Role', doc(`${kind}.roleRef`)),
      AGE_COL,
      col('Users', `Users in the ${noun}`, { priority: 1 }),
      col('Groups', `Groups in the ${noun}`, { priority: 1 }),
      col('ServiceAccounts', `ServiceAccounts in the ${noun}`, { priority: 1 }),
    ],
    row(obj, ctx) {
      const b = obj as Loose;
      return { cells: [name(b), `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(obj, ctx), ...subjects(b.subjects)] };
    },
  };
}

const PRIORITY_CLASS: Printer = {
  columns: [
    NAME_COL,
    col('Value', doc('PriorityClass.value'), { type: 'integer' }),
    col('Global-Default', doc('PriorityClass.globalDefault'), { type: 'boolean' }),
    AGE_COL,
    col('PreemptionPolicy', doc('PriorityClass.preemptionPolicy')),
  ],
  row: (obj, ctx) => {
    const p = obj as Loose;
    return { cells: [name(p), p.value ?? 0, p.globalDefault === true, age(obj, ctx), p.preemptionPolicy ?? ''] };
  },
};

const LEASE: Printer = {
  columns: [NAME_COL, col('Holder', doc('LeaseSpec.holderIdentity')), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), (obj as Loose).spec?.holderIdentity ?? '', age(obj, ctx)] }),
};

function isDefaultClass(obj: Loose): boolean {
  const a = obj.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

const STORAGE_CLASS: Printer = {
  columns: [
    NAME_COL,
    col('Provisioner', doc('StorageClass.provisioner')),
    col('ReclaimPolicy', doc('StorageClass.reclaimPolicy')),
    col('VolumeBindingMode', doc('StorageClass.volumeBindingMode')),
    col('AllowVolumeExpansion', doc('StorageClass.allowVolumeExpansion')),
    AGE_COL,
  ],
  row(obj, ctx) {
    const sc = obj as Loose;
    return {
      cells: [
        name(sc) + (isDefaultClass(sc) ? ' (default)' : ''), sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete',
        sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion === true, age(obj, ctx),
      ],
    };
  },
};

const CSI_DRIVER: Printer = {
  columns: [
    NAME_COL,
    col('AttachRequired', doc('CSIDriverSpec.attachRequired'), { type: 'boolean' }),
    col('PodInfoOnMount', doc('CSIDriverSpec.podInfoOnMount'), { type: 'boolean' }),
    col('StorageCapacity', doc('CSIDriverSpec.storageCapacity'), { type: 'boolean' }),
    col('TokenRequests', doc('CSIDriverSpec.tokenRequests')),
    col('RequiresRepublish', doc('CSIDriverSpec.requiresRepublish'), { type: 'boolean' }),
    col('Modes', doc('CSIDriverSpec.volumeLifecycleModes')),
    AGE_COL,
  ],
  row(obj, ctx) {
    const s = (obj as Loose).spec ?? {};
    const tokens = Array.isArray(s.tokenRequests) ? s.tokenRequests.map((t: Loose) => t?.audience ?? '').join(',') : '<unset>';
    const modes = (s.volumeLifecycleModes ?? []).join(',') || '<none>';
    return {
      cells: [
        name(obj), s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens,
        s.requiresRepublish ?? false, modes, age(obj, ctx),
      ],
    };
  },
};

const CSI_NODE: Printer = {
  columns: [NAME_COL, col('Drivers', 'Drivers indicates the number of CSI drivers registered on the node', { type: 'integer' }), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), ((obj as Loose).spec?.drivers ?? []).length, age(obj, ctx)] }),
};

const VOLUME_ATTACHMENT: Printer = {
  columns: [
    NAME_COL,
    col('Attacher', doc('VolumeAttachmentSpec.attacher'), { format: 'name' }),
    col('PV', doc('VolumeAttachmentSource.persistentVolumeName')),
    col('Node', doc('VolumeAttachmentSpec.nodeName')),
    col('Attached', doc('VolumeAttachmentStatus.attached'), { type: 'boolean' }),
    AGE_COL,
  ],
  row(obj, ctx) {
    const v = obj as Loose;
    return {
      cells: [
        name(v), v.spec?.attacher ?? '', v.spec?.source?.persistentVolumeName ?? '', v.spec?.nodeName ?? '',
        v.status?.attached === true, age(obj, ctx),
      ],
    };
  },
};

const ENDPOINT_SLICE: Printer = {
  columns: [
    NAME_COL,
    col('AddressType', doc('EndpointSlice.addressType')),
    col('Ports', doc('EndpointSlice.ports')),
    col('Endpoints', doc('EndpointSlice.endpoints')),
    AGE_COL,
  ],
  row(obj, ctx) {
    const s = obj as Loose;
    const ports: Loose[] = s.ports ?? [];
    const portList = ports.map((p) => (typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*'));
    const addresses: string[] = (s.endpoints ?? []).flatMap((e: Loose) => (e?.addresses ?? []) as string[]);
    return {
      cells: [
        name(s), s.addressType ?? '', listWithMore(portList, portList.length, 3, '<unset>'),
        listWithMore(addresses, addresses.length, 3, '<unset>'), age(obj, ctx),
      ],
    };
  },
};

/** HPA metric targets (`cpu: 40%/80%`); autoscaling/v1 objects are read as one CPU metric. */
function hpaMetrics(hpa: Loose): string {
  let specs: Loose[] = hpa.spec?.metrics ?? [];
  let statuses: Loose[] = hpa.status?.currentMetrics ?? [];
  if (!hpa.spec?.metrics && (hpa.apiVersion === 'autoscaling/v1' || hpa.spec?.targetCPUUtilizationPercentage !== undefined)) {
    const target = hpa.spec?.targetCPUUtilizationPercentage;
    specs = target === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: target } } }];
    const current = hpa.status?.currentCPUUtilizationPercentage;
    statuses = current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
  }
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

function formatMetric(spec: Loose, status: Loose): string {
  const unknown = '<unknown>';
  const pair = (source: Loose, current: Loose, prefix: string): string => {
    if (source?.target?.averageValue !== undefined) {
      const cur = current?.current?.averageValue ?? unknown;
      return prefix ? `${prefix}${cur}/${source.target.averageValue}` : `${cur}/${source.target.averageValue} (avg)`;
    }
    return `${prefix}${current?.current?.value ?? unknown}/${source?.target?.value ?? ''}`;
  };
  switch (spec?.type) {
    case 'External':
      return pair(spec.external, status?.external, '');
    case 'Object':
      return pair(spec.object, status?.object, '');
    case 'Pods':
      return `${status?.pods?.current?.averageValue ?? unknown}/${spec.pods?.target?.averageValue ?? ''}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const source = spec[key];
      const current = status?.[key];
      if (source?.target?.averageValue !== undefined) return `${source.name}: ${current?.current?.averageValue ?? unknown}/${source.target.averageValue}`;
      const cur = current?.current?.averageUtilization !== undefined ? `${current.current.averageUtilization}%` : unknown;
      const target = source?.target?.averageUtilization !== undefined ? `${source.target.averageUtilization}%` : '<auto>';
      return `${source?.name ?? ''}: ${cur}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

const HPA: Printer = {
  columns: [
    NAME_COL,
    col('Reference', doc('HorizontalPodAutoscalerSpec.scaleTargetRef')),
    col('Targets', doc('HorizontalPodAutoscalerSpec.metrics')),
    col('MinPods', doc('HorizontalPodAutoscalerSpec.minReplicas')),
    col('MaxPods', doc('HorizontalPodAutoscalerSpec.maxReplicas')),
    col('Replicas', doc('HorizontalPodAutoscalerStatus.currentReplicas')),
    AGE_COL,
  ],
  row(obj, ctx) {
    const h = obj as Loose;
    const ref = h.spec?.scaleTargetRef ?? {};
    const min = typeof h.spec?.minReplicas === 'number' ? String(h.spec.minReplicas) : '<unset>';
    return {
      cells: [name(h), `${ref.kind ?? ''}/${ref.name ?? ''}`, hpaMetrics(h), min, h.spec?.maxReplicas ?? 0, h.status?.currentReplicas ?? 0, age(obj, ctx)],
    };
  },
};

export const GROUP_PRINTERS: Record<string, Printer> = {
  'networking.k8s.io/ingresses': INGRESS,
  'networking.k8s.io/ingressclasses': INGRESS_CLASS,
  'networking.k8s.io/networkpolicies': NETWORK_POLICY,
  'policy/poddisruptionbudgets': POD_DISRUPTION_BUDGET,
  'rbac.authorization.k8s.io/rolebindings': bindingPrinter('RoleBinding', 'roleBinding'),
  'rbac.authorization.k8s.io/clusterrolebindings': bindingPrinter('ClusterRoleBinding', 'clusterRoleBinding'),
  'scheduling.k8s.io/priorityclasses': PRIORITY_CLASS,
  'coordination.k8s.io/leases': LEASE,
  'storage.k8s.io/storageclasses': STORAGE_CLASS,
  'storage.k8s.io/csidrivers': CSI_DRIVER,
  'storage.k8s.io/csinodes': CSI_NODE,
  'storage.k8s.io/volumeattachments': VOLUME_ATTACHMENT,
  'discovery.k8s.io/endpointslices': ENDPOINT_SLICE,
  'autoscaling/horizontalpodautoscalers': HPA,
};
