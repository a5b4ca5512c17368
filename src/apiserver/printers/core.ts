// Tables for core/v1 kinds other than Pod, as upstream's printers (kubernetes
// pkg/printers/internalversion/printers.go: printNode, printService, printEndpoints, printEvent,
// printPersistentVolume(Claim), printResourceQuota, printReplicationController, …).
import type { KubeObject } from '../../api/meta/types.ts';
import { doc } from './descriptions.ts';
import {
  accessModes,
  age,
  containerCells,
  formatLabels,
  joinHostPort,
  type Loose,
  type PrintContext,
  quantity,
  since,
  storageClassOf,
} from './format.ts';
import { AGE_COL, col, NAME_COL, type Printer, WIDE_CONTAINERS_COL, WIDE_IMAGES_COL } from './types.ts';

const name = (o: Loose): string => o.metadata?.name ?? '';

function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeAddress(node: Loose, type: string): string {
  return (node.status?.addresses ?? []).find((a: Loose) => a?.type === type)?.address ?? '<none>';
}

const NODE: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE_COL,
    col('Version', doc('NodeSystemInfo.kubeletVersion')),
    col('Internal-IP', doc('NodeStatus.addresses'), { priority: 1 }),
    col('External-IP', doc('NodeStatus.addresses'), { priority: 1 }),
    col('OS-Image', doc('NodeSystemInfo.osImage'), { priority: 1 }),
    col('Kernel-Version', doc('NodeSystemInfo.kernelVersion'), { priority: 1 }),
    col('Container-Runtime', doc('NodeSystemInfo.containerRuntimeVersion'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const n = obj as Loose;
    const ready = (n.status?.conditions ?? []).filter((c: Loose) => c?.type === 'Ready').at(-1);
    const status = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
    if (n.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = n.status?.nodeInfo ?? {};
    return {
      cells: [
        name(n), status.join(','), nodeRoles(n.metadata?.labels), age(obj, ctx), info.kubeletVersion ?? '',
        nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'),
        info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};

/** Load-balancer ingress IPs (else hostnames), sorted and de-duplicated; never clipped server-side. */
export function loadBalancerAddresses(status: Loose): string {
  const set = new Set<string>();
  for (const ing of status?.ingress ?? []) {
    if (ing?.ip) set.add(ing.ip);
    else if (ing?.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: Loose, type: string): string {
  const external: string[] = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer);
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const SERVICE: Printer = {
  columns: [
    NAME_COL,
    col('Type', doc('ServiceSpec.type')),
    col('Cluster-IP', doc('ServiceSpec.clusterIP')),
    col('External-IP', doc('ServiceSpec.externalIPs')),
    col('Port(s)', doc('ServiceSpec.ports')),
    AGE_COL,
    col('Selector', doc('ServiceSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const s = obj as Loose;
    const type: string = s.spec?.type ?? 'ClusterIP';
    const clusterIP = s.spec?.clusterIPs?.[0] || s.spec?.clusterIP || '<none>';
    const ports = (s.spec?.ports ?? [])
      .map((p: Loose) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p?.port}/${p?.protocol ?? 'TCP'}`))
      .join(',');
    return {
      cells: [name(s), type, clusterIP, serviceExternalIP(s, type), ports || '<none>', age(obj, ctx), formatLabels(s.spec?.selector)],
    };
  },
};

function formatEndpoints(ep: Loose): string {
  const subsets: Loose[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses: Loose[] = ss?.addresses ?? [];
    const ports: Loose[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length; // headless service without ports
      for (const a of addresses) if (list.length < 3) list.push(a?.ip ?? '');
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) if (list.length < 3) list.push(joinHostPort(a?.ip ?? '', p?.port ?? 0));
    }
  }
  const text = list.join(',');
  return count > 3 ? `${text} + ${count - 3} more...` : text;
}

const ENDPOINTS: Printer = {
  columns: [NAME_COL, col('Endpoints', doc('Endpoints.subsets')), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), formatEndpoints(obj), age(obj, ctx)] }),
};

const NAMESPACE: Printer = {
  columns: [NAME_COL, col('Status', 'The status of the namespace'), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), (obj as Loose).status?.phase ?? '', age(obj, ctx)] }),
};

const count = (m: unknown): number => Object.keys((m ?? {}) as object).length;

const CONFIG_MAP: Printer = {
  columns: [NAME_COL, col('Data', doc('ConfigMap.data')), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), count(obj.data) + count(obj.binaryData), age(obj, ctx)] }),
};

const SECRET: Printer = {
  columns: [NAME_COL, col('Type', doc('Secret.type')), col('Data', doc('Secret.data')), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), (obj.type as string) ?? '', count(obj.data), age(obj, ctx)] }),
};

const SERVICE_ACCOUNT: Printer = {
  columns: [NAME_COL, col('Secrets', doc('ServiceAccount.secrets')), AGE_COL],
  row: (obj, ctx) => ({ cells: [name(obj), ((obj.secrets as unknown[]) ?? []).length, age(obj, ctx)] }),
};

/** Event source: component (or reporting controller), then host (or reporting instance). */
function eventSource(e: Loose): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** Maps an events.k8s.io/v1 Event onto the core/v1 field names the printer reads. */
function asCoreEvent(e: Loose): Loose {
  if (!String(e.apiVersion ?? '').startsWith('events.k8s.io/') && (e.involvedObject || !e.regarding)) return e;
  return {
    ...e,
    involvedObject: e.regarding,
    message: e.note,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    reportingComponent: e.reportingController,
  };
}

const EVENT: Printer = {
  columns: [
    col('Last Seen', doc('Event.lastTimestamp')),
    col('Type', doc('Event.type')),
    col('Reason', doc('Event.reason')),
    col('Object', doc('Event.involvedObject')),
    col('Subobject', doc('ObjectReference.fieldPath'), { priority: 1 }),
    col('Source', doc('Event.source'), { priority: 1 }),
    col('Message', doc('Event.message')),
    col('First Seen', doc('Event.firstTimestamp'), { priority: 1 }),
    col('Count', doc('Event.count'), { priority: 1 }),
    col('Name', doc('ObjectMeta.name'), { priority: 1, format: 'name' }),
  ],
  row(obj, ctx: PrintContext) {
    const e = asCoreEvent(obj);
    const first = e.firstTimestamp ? since(e.firstTimestamp, ctx) : since(e.eventTime, ctx);
    let last = e.lastTimestamp ? since(e.lastTimestamp, ctx) : first;
    let n: number = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, ctx);
      n = e.series.count ?? 0;
    } else if (n === 0) {
      n = 1; // singleton events from the new API carry no count
    }
    const kind = String(e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return {
      cells: [
        last, e.type ?? '', e.reason ?? '', target, e.involvedObject?.fieldPath ?? '', eventSource(e),
        String(e.message ?? '').trim(), first, n, name(e),
      ],
    };
  },
};

const PERSISTENT_VOLUME: Printer = {
  columns: [
    NAME_COL,
    col('Capacity', doc('PersistentVolumeSpec.capacity')),
    col('Access Modes', doc('PersistentVolumeSpec.accessModes')),
    col('Reclaim Policy', doc('PersistentVolumeSpec.persistentVolumeReclaimPolicy')),
    col('Status', doc('PersistentVolumeStatus.phase')),
    col('Claim', doc('PersistentVolumeSpec.claimRef')),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col('Reason', doc('PersistentVolumeStatus.reason')),
    AGE_COL,
    col('VolumeMode', doc('PersistentVolumeSpec.volumeMode'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const pv = obj as Loose;
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return {
      cells: [
        name(pv), quantity(pv.spec?.capacity?.storage), accessModes(pv.spec?.accessModes), pv.spec?.persistentVolumeReclaimPolicy ?? '',
        phase, claim, storageClassOf(pv), pv.spec?.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '',
        age(obj, ctx), pv.spec?.volumeMode ?? '<unset>',
      ],
    };
  },
};

const PERSISTENT_VOLUME_CLAIM: Printer = {
  columns: [
    NAME_COL,
    col('Status', doc('PersistentVolumeClaimStatus.phase')),
    col('Volume', doc('PersistentVolumeClaimSpec.volumeName')),
    col('Capacity', doc('PersistentVolumeClaimStatus.capacity')),
    col('Access Modes', doc('PersistentVolumeClaimStatus.accessModes')),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    AGE_COL,
    col('VolumeMode', doc('PersistentVolumeClaimSpec.volumeMode'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const pvc = obj as Loose;
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    const bound = Boolean(pvc.spec?.volumeName);
    return {
      cells: [
        name(pvc), phase, pvc.spec?.volumeName ?? '', bound ? quantity(pvc.status?.capacity?.storage) : '',
        bound ? accessModes(pvc.status?.accessModes) : '', storageClassOf(pvc), pvc.spec?.volumeAttributesClassName ?? '<unset>',
        age(obj, ctx), pvc.spec?.volumeMode ?? '<unset>',
      ],
    };
  },
};

const RESOURCE_QUOTA: Printer = {
  columns: [
    NAME_COL,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE_COL,
  ],
  row(obj, ctx) {
    const hard: Record<string, unknown> = (obj as Loose).status?.hard ?? {};
    const used: Record<string, unknown> = (obj as Loose).status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const text = `${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`;
      (resource.startsWith('limits.') ? limits : requests).push(text);
    }
    return { cells: [name(obj), requests.join(', '), limits.join(', '), age(obj, ctx)] };
  },
};

const REPLICATION_CONTROLLER: Printer = {
  columns: [
    NAME_COL,
    col('Desired', doc('ReplicationControllerSpec.replicas'), { type: 'integer' }),
    col('Current', doc('ReplicationControllerStatus.replicas'), { type: 'integer' }),
    col('Ready', doc('ReplicationControllerStatus.readyReplicas'), { type: 'integer' }),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('ReplicationControllerSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const rc = obj as Loose;
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return {
      cells: [
        name(rc), rc.spec?.replicas ?? 1, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(obj, ctx),
        names, images, formatLabels(rc.spec?.selector),
      ],
    };
  },
};

const POD_TEMPLATE: Printer = {
  columns: [
    NAME_COL,
    col('Containers', 'Names of each container in the template.'),
    col('Images', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'The labels for the pod template.'),
  ],
  row(obj: KubeObject) {
    const t = (obj as Loose).template;
    const [names, images] = containerCells(t?.spec?.containers);
    return { cells: [name(obj), names, images, formatLabels(t?.metadata?.labels)] };
  },
};

export const CORE_PRINTERS: Record<string, Printer> = {
  '/nodes': NODE,
  '/services': SERVICE,
  '/endpoints': ENDPOINTS,
  '/namespaces': NAMESPACE,
  '/configmaps': CONFIG_MAP,
  '/secrets': SECRET,
  '/serviceaccounts': SERVICE_ACCOUNT,
  '/events': EVENT,
  'events.k8s.io/events': EVENT,
  '/persistentvolumes': PERSISTENT_VOLUME,
  '/persistentvolumeclaims': PERSISTENT_VOLUME_CLAIM,
  '/resourcequotas': RESOURCE_QUOTA,
  '/replicationcontrollers': REPLICATION_CONTROLLER,
  '/podtemplates': POD_TEMPLATE,
};
