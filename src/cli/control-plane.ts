// Wires one control plane: datastore → registry → API handler → in-process client → controllers.
// `k8ts up` and the integration tests both start clusters through here.
import type { GroupVersionKind, KubeObject } from '../api/meta/types.ts';
import { CustomResources } from '../registry/custom-resources.ts';
import { CrdController } from '../controllers/crd/controller.ts';
import { createNodeControllers } from '../controllers/node-lifecycle/start.ts';
import { nodeLifecycleEnv } from '../controllers/node-lifecycle/controller.ts';
import { podGcEnv } from '../controllers/pod-gc/controller.ts';
import { admitEviction } from '../controllers/disruption/eviction.ts';
import { StatefulSetController } from '../controllers/statefulset/controller.ts';
import { ReplicaSetController } from '../controllers/replicaset/controller.ts';
import { DeploymentController } from '../controllers/deployment/controller.ts';
import { DaemonSetController } from '../controllers/daemonset/controller.ts';
import { createServiceEndpointControllers } from '../controllers/endpoints/start.ts';
import { Scheduler } from '../scheduler/index.ts';
import { NodePool } from '../node/node-pool.ts';
import type { ContainerRuntime } from '../node/runtime.ts';
import { startProcessCluster, type ProcessCluster } from '../process/start.ts';
import { type DefaultNodesOptions, ensureDefaultNodes } from '../node/node-object.ts';
import { Tunnels } from '../agent/tunnel-server.ts';
import { podSubresourceWithTunnels } from '../agent/tunnel-proxy.ts';
import { tunnelServerName } from '../agent/tunnel-protocol.ts';
import { loadSchemas } from '../api/schema/index.ts';
import { ApiServer } from '../apiserver/api-server.ts';
import { trackUpdate } from '../apiserver/apply/managed-fields.ts';
import { serverSideApply } from '../apiserver/apply/apply.ts';
import type { ApiServerContext } from '../apiserver/context.ts';
import type { ApiRequest } from '../apiserver/types.ts';
import { Client, createIfAbsent } from '../client/client.ts';
import { GarbageCollector } from '../controllers/garbage-collector/controller.ts';
import { NamespaceController } from '../controllers/namespace/controller.ts';
import { NamespaceCache, namespaceLifecycle } from '../registry/admission/namespace-lifecycle.ts';
import { startClusterDns, type ClusterDns, type ClusterDnsOptions } from '../dns/cluster-dns.ts';
import { ServiceAllocations } from '../registry/admission/service-allocations.ts';
import { DEFAULT_SERVICE_CIDR, nthAddress, parseServiceCidr, type ServiceCidr } from '../registry/admission/service-ranges.ts';
import { persistentVolumeClaimResize, storageClassReader } from '../registry/admission/pvc-resize.ts';
import { VolumeExpandController } from '../controllers/volume-expand/controller.ts';
import { createStorageControllers } from '../controllers/persistentvolume/start.ts';
import { ensureDefaultStorageClass } from '../controllers/local-path/default-class.ts';
import { STORAGE_CLASS_PREFIX, storageAdmission } from '../registry/admission/storage.ts';
import type { StorageClass } from '../api/storage/volume.ts';
import { VolumeBinding } from '../scheduler/volume-binding/volume-binding.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { Registry } from '../registry/registry.ts';
import { schemaFieldChecker } from '../registry/schema-field-checker.ts';
import { strategyFor } from '../registry/strategies/index.ts';
import { openBackend, type Backend } from '../store/index.ts';
import { rfc3339, systemClock, type Clock } from '../util/clock.ts';
import { setMaxListeners } from 'node:events';
import { LeaderElector, type ElectionTimings } from '../leader-election/elector.ts';
import { nodeTokenAuthenticator } from '../agent/node-credentials.ts';
import { joinRoutes } from '../agent/join-server.ts';
import { withNodeAuthorizer } from '../auth/node-authorizer.ts';
import { join } from 'node:path';
import { startAuthorization } from '../auth/authorization.ts';
import { ensureBootstrapPolicy } from '../auth/rbac/bootstrap-policy.ts';
import type { TokenAuthenticator } from '../auth/authenticate.ts';
import { ClusterRoleAggregationController } from '../controllers/clusterrole-aggregation/controller.ts';
import { serviceAccountTokens } from '../auth/serviceaccount/service-accounts.ts';
import { generateServiceAccountKey } from '../auth/serviceaccount/keys.ts';
import { NamespaceObjectsController } from '../controllers/serviceaccount/controller.ts';
import { serveDashboard } from '../dashboard/serve.ts';

export interface ControlPlaneOptions {
  /** The datastore to open, when no `backend` is given. */
  datastore?: 'sqlite' | 'memory';
  /** An opened datastore to use instead of `datastore` (etcd); closed at stop. */
  backend?: Backend;
  /** Required for sqlite: the database lives at <dataDir>/state.db. */
  dataDir?: string;
  clock?: Clock;
  /** Admin bearer token; undefined disables authentication (in-process tests). */
  token?: string;
  /** Further bearer-token authenticators (k8ts up --token-auth-file, tests' restricted users). */
  authenticators?: TokenAuthenticator[];
  serverAddress?: string;
  log?: (msg: string) => void;
  /** Start the controllers, the scheduler and the simulated node pool (default true). */
  controllers?: boolean;
  /**
   * Where the local-path provisioner creates volume directories (default <dataDir>/storage;
   * without a data dir, a temporary directory removed at stop).
   */
  storageDir?: string;
  /** Where Services get their cluster IPs (default 10.96.0.0/16, as kind). */
  serviceCidr?: string;
  /** DNS zone of Services and pods (default cluster.local); pods' resolv.conf searches under it. */
  clusterDomain?: string;
  /** Serve cluster DNS on this address (port 0 picks one); off when undefined. */
  dns?: { host: string; port: number };
  /** Create kind-style default nodes (k8ts up does; tests add their own). */
  defaultNodes?: { workers: number; scheduleOnControlPlane: boolean; onProgress?: (created: number, total: number) => void; custom?: DefaultNodesOptions['custom'] };
  /** The node pool's container runtime (default: simulated). */
  runtime?: ContainerRuntime;
  /** Run real processes (src/process/): needs root, bubblewrap, iproute2 and a data dir. */
  processRuntime?: boolean;
  /**
   * Several servers share the datastore: controllers (with the node pool) and the scheduler run
   * only while this server holds their Lease. `identity` must be unique among the servers.
   */
  leaderElection?: { identity: string; timings?: ElectionTimings };
  /** The cluster CA, handed to node agents when they join (needs `token`). */
  caCertPem?: string;
  /** Signs service account tokens (PKCS#8 PEM, alike on every server); absent: a key for this run. */
  serviceAccountKeyPem?: string;
}

export interface ControlPlane {
  api: ApiServer;
  client: Client;
  registry: Registry;
  backend: Backend;
  /** The cluster DNS server, when asked for. */
  dns?: ClusterDns;
  /** The node agents, when controllers run here (with leader election: while this server leads). */
  readonly pool?: NodePool;
  /** The process runtime's network, images and bridges, when it runs. */
  readonly processCluster?: ProcessCluster;
  /** Remote agents' tunnels (with `token`): hand `tunnels` to streamingUpgrade as `remote`. */
  tunnels?: Tunnels;
  /** Which groups this server leads, by Lease name (empty without leader election). */
  leading(): string[];
  /** True once bootstrap objects exist and controllers have synced. */
  ready(): boolean;
  stop(): Promise<void>;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const backend = opts.backend ?? (opts.datastore === 'sqlite' ? await openBackend('sqlite', { path: join(opts.dataDir!, 'state.db') }) : await openBackend('memory'));
  const schemas = () => loadSchemas();
  let registry: Registry;
  // Built-in kinds first; custom resources from their definitions.
  const schemaFor = (gvk: GroupVersionKind) => schemas().forKind(gvk) ?? custom?.schemaFor(gvk);
  let custom: CustomResources | undefined;
  const namespaces = new NamespaceCache(backend);
  await namespaces.start();
  const getNamespace = (name: string) => namespaces.get(name);
  const serviceCidr = parseServiceCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
  const clusterDomain = opts.clusterDomain ?? 'cluster.local';
  const serviceAllocations = new ServiceAllocations(backend, { cidr: serviceCidr, clock, shared: opts.leaderElection !== undefined });
  await serviceAllocations.start();
  // RBAC (with system:masters always allowed), its escalation checks and the access reviews.
  const authz = await startAuthorization(backend, { clock, log });
  // Service account tokens: TokenRequest, their authentication and the pods' token volumes.
  const serviceAccounts = serviceAccountTokens({ privateKeyPem: opts.serviceAccountKeyPem ?? generateServiceAccountKey(), registry: () => registry, clock, log });
  registry = new Registry({
    backend,
    clock,
    strategyFor: (group, kind) => strategyFor(group, kind),
    fieldChecker: schemaFieldChecker(schemaFor),
    admission: [
      namespaceLifecycle(getNamespace),
      // Without controllers nothing makes `default` ServiceAccounts: pods are not refused for lacking one.
      serviceAccounts.admission({ requireServiceAccount: opts.controllers !== false }),
      serviceAllocations,
      persistentVolumeClaimResize(storageClassReader(backend)),
      storageAdmission(async () => (await backend.list(STORAGE_CLASS_PREFIX)).items.map((kv) => JSON.parse(kv.value) as StorageClass)),
      authz.admission,
    ],
  });
  custom = new CustomResources(registry);
  const ctx: ApiServerContext = {
    registry,
    clock,
    log,
    review: authz.review,
    tokenRequest: serviceAccounts.tokenRequest,
    // Strategic merge patch is for built-in kinds only, as upstream.
    schemaFor: (gvk) => schemas().forKind(gvk),
    trackUpdate: (a) =>
      trackUpdate({
        live: a.live,
        updated: a.updated,
        manager: a.manager,
        apiVersion: a.apiVersion,
        now: a.now,
        subresource: a.subresource,
        schema: schemaFor({ group: a.store.info.group, version: a.store.info.version, kind: a.store.info.kind }),
      }),
    apply: (a) =>
      serverSideApply({
        live: a.live,
        applied: a.applied,
        manager: a.manager,
        force: a.force,
        apiVersion: a.store.apiVersion,
        now: rfc3339(clock.now()),
        subresource: a.subresource,
        schema: schemaFor({ group: a.store.info.group, version: a.store.info.version, kind: a.store.info.kind }),
      }).object,
  };
  const api = new ApiServer({
    ctx,
    token: opts.token,
    // Remote node agents: their credentials, what NodeRestriction lets them do, and their join.
    authenticators: [...(opts.token ? [nodeTokenAuthenticator(opts.token), serviceAccounts.authenticator] : []), ...(opts.authenticators ?? [])],
    impersonate: authz.impersonate,
    authorize: withNodeAuthorizer(async (namespace, name) => ((await readStored(backend, `/registry/core/pods/${namespace}/${name}`))?.spec as { nodeName?: string } | undefined)?.nodeName, authz.authorize),
    publicRoutes: opts.token && opts.caCertPem ? joinRoutes({ clusterToken: opts.token, caCertPem: opts.caCertPem, readSecret: (name) => readStored(backend, `/registry/core/secrets/kube-system/${name}`), now: () => clock.now() }) : undefined,
    serverAddress: opts.serverAddress,
    dashboard: serveDashboard(),
    ready: () => ready,
    openapi: {
      index: (gvs) => schemas().openapiIndex(gvs, { resources: registry.resources(), customSchema: (gvk) => custom!.schemaFor(gvk) }),
      document: (path) => {
        const gv = path.startsWith('apis/') ? path.slice('apis/'.length) : path.replace(/^api\//, '');
        const resources = registry.resources().filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv);
        return resources.length ? schemas().openapiDocumentBody(gv, resources, { customSchema: (gvk) => custom!.schemaFor(gvk) }) : undefined;
      },
    },
  });
  const auth = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const transport = (req: ApiRequest) => api.handle({ ...req, headers: { ...req.headers, ...auth }, trusted: true });
  const client = new Client(transport, { userAgent: 'k8ts-controller-manager/v1.35.0' });
  // Evictions consult disruption budgets whether or not controllers run here.
  ctx.admitEviction = admitEviction(client, { clock });
  // Together, so the store commits them in fewer groups.
  await Promise.all([bootstrap(client, serviceCidr), ensureBootstrapPolicy(client)]);
  let ready = false;
  const controller = new AbortController();
  // Every informer and queue listens on this one signal.
  setMaxListeners(0, controller.signal);
  const running: Promise<unknown>[] = [];
  let pool: NodePool | undefined;
  // Pods on remote agents' nodes are reached through the tunnels those agents open to this server.
  const tunnels = opts.token ? new Tunnels({ api, client, identity: opts.serverAddress ? tunnelServerName(opts.serverAddress, hostname()) : (opts.leaderElection?.identity ?? hostname()), clock, log, peers: opts.caCertPem ? { caPem: opts.caCertPem, token: opts.token } : undefined }) : undefined;
  ctx.podSubresource = podSubresourceWithTunnels({ pool: () => pool, tunnels });
  let processCluster: ProcessCluster | undefined;
  // Informers the DNS server reads rather than watching the same resources again.
  let dnsShared: ClusterDnsOptions['shared'];
  const electors: LeaderElector[] = [];
  let storageDir = opts.storageDir ?? (opts.dataDir ? join(opts.dataDir, 'storage') : '');
  let tempStorage: string | undefined;
  // Leader-only work in two groups, as kube-controller-manager and kube-scheduler: each starts
  // everything it runs under `signal` and resolves once started; `running` settles after stop.
  type Group = (signal: AbortSignal) => Promise<{ running: Promise<unknown>[]; synced: Promise<unknown> }>;
  const controllerManager: Group = async (signal) => {
    const running: Promise<unknown>[] = [];
    const gc = new GarbageCollector(client, registry.resources(), clock, log);
    const unwatch = registry.onChange((change, info) => (change === 'added' ? gc.addResource(info) : gc.removeResource(info)));
    signal.addEventListener('abort', unwatch, { once: true });
    const nsc = new NamespaceController(client, () => registry.resources(), clock, log);
    const crds = new CrdController(client, custom, clock, log);
    const nodeControllers = createNodeControllers(client, { clock, log, nodeLifecycle: nodeLifecycleEnv(), podGc: podGcEnv() });
    const statefulSets = new StatefulSetController(client, { clock, log, pods: nodeControllers.informers.pods });
    const replicaSets = new ReplicaSetController(client, { clock, log, pods: nodeControllers.informers.pods });
    const deployments = new DeploymentController(client, { clock, log, pods: nodeControllers.informers.pods, replicaSets: replicaSets.informers.replicaSets });
    const daemonSets = new DaemonSetController(client, { clock, log, pods: nodeControllers.informers.pods, nodes: nodeControllers.informers.nodes });
    if (!storageDir) storageDir = tempStorage = mkdtempSync(join(tmpdir(), 'k8ts-storage-'));
    const storage = createStorageControllers(client, { clock, log, storageDir });
    // Endpoints, EndpointSlices and their mirroring; its Services and EndpointSlices informers are shareable.
    const serviceEndpoints = createServiceEndpointControllers(client, { clock, log, pods: nodeControllers.informers.pods, nodes: nodeControllers.informers.nodes });
    if (!elected) dnsShared = { services: serviceEndpoints.informers.services, endpointSlices: serviceEndpoints.informers.endpointSlices };
    let runtime = opts.runtime;
    let processRun: ProcessCluster | undefined;
    if (opts.processRuntime) {
      if (!opts.dataDir) throw new Error('the process runtime needs a data dir');
      processRun = processCluster = await startProcessCluster({ client: new Client(transport, { userAgent: 'kubelet/v1.35.0' }), dataDir: opts.dataDir, serviceCidr: serviceCidr.cidr, clusterDomain, clock, log, services: serviceEndpoints.informers.services, endpointSlices: serviceEndpoints.informers.endpointSlices });
      runtime = processRun.runtime;
      running.push(processRun.run(signal));
    }
    const nodes = new NodePool({ client: new Client(transport, { userAgent: 'kubelet/v1.35.0' }), clock, log, runtime, dns: { clusterDomain, clusterDNS: [nthAddress(serviceCidr, 10)], hostResolvConf: hostResolvConf() } });
    pool = nodes;
    const volumeExpand = new VolumeExpandController(client, { clock, log });
    const clusterRoleAggregation = new ClusterRoleAggregationController(client, { clock, log });
    const namespaceObjects = new NamespaceObjectsController(client, { clock, log, caCertPem: opts.caCertPem });
    running.push(
      gc.run(signal),
      nsc.run(signal),
      crds.run(signal),
      nodeControllers.run(signal),
      storage.run(signal),
      statefulSets.run(signal),
      volumeExpand.run(signal),
      clusterRoleAggregation.run(signal),
      namespaceObjects.run(signal),
      replicaSets.run(signal),
      deployments.run(signal),
      daemonSets.run(signal),
      serviceEndpoints.run(signal),
    );
    // The node agents stop with the group, before the informers they read from.
    const stopped = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => void (async () => {
        await nodes.stop();
        await processRun?.stop();
        if (pool === nodes) pool = undefined;
        if (processCluster === processRun) processCluster = undefined;
        resolve();
      })(), { once: true }),
    );
    running.push(stopped);
    if (opts.defaultNodes) await ensureDefaultNodes(client, opts.defaultNodes);
    await nodes.start();
    const synced = Promise.all([crds.waitForSync(), gc.waitForSync(), nodeControllers.waitForSync(), statefulSets.waitForSync(), replicaSets.waitForSync(), deployments.waitForSync(), daemonSets.waitForSync(), serviceEndpoints.waitForSync(), storage.waitForSync(), clusterRoleAggregation.waitForSync(), namespaceObjects.waitForSync()]);
    return { running, synced };
  };
  const kubeScheduler: Group = async (signal) => {
    // Components write under their own names, as their managedFields and audit show upstream.
    const schedulerClient = new Client(transport, { userAgent: 'kube-scheduler/v1.35.0' });
    const volumeBinding = new VolumeBinding({ client: schedulerClient, clock, log });
    const { volumePreFilter, volumeFilter, volumePreBind } = volumeBinding;
    const scheduler = new Scheduler({ client: schedulerClient, clock, log, volumePreFilter, volumeFilter, volumePreBind });
    volumeBinding.onChange(() => scheduler.retryPodsWithClaims());
    return { running: [scheduler.run(signal), volumeBinding.run(signal)], synced: Promise.all([scheduler.waitForSync(), volumeBinding.waitForSync()]) };
  };
  const elected = opts.leaderElection;
  if (opts.controllers !== false && !elected) {
    const groups = [await kubeScheduler(controller.signal), await controllerManager(controller.signal)];
    for (const g of groups) running.push(...g.running);
    void Promise.all(groups.map((g) => g.synced)).then(() => (ready = true));
  } else if (opts.controllers !== false && elected) {
    // Every server serves the custom resources; the leader alone writes their definitions' status.
    const crdServing = new CrdController(client, custom, clock, log, { writes: false });
    running.push(crdServing.run(controller.signal));
    for (const [name, group] of [['kube-controller-manager', controllerManager], ['kube-scheduler', kubeScheduler]] as const) {
      const elector = new LeaderElector({
        client,
        name,
        identity: elected.identity,
        timings: elected.timings,
        clock,
        log,
        lead: async (signal) => {
          const g = await group(signal);
          await Promise.allSettled(g.running);
        },
      });
      electors.push(elector);
      running.push(elector.run(controller.signal));
    }
    await crdServing.waitForSync();
    ready = true;
  } else ready = true;
  let dns: ClusterDns | undefined;
  const stop = async () => {
    tunnels?.close();
    await dns?.close();
    controller.abort();
    await Promise.allSettled(running);
    namespaces.close();
    serviceAllocations.close();
    authz.close();
    await backend.close();
    if (tempStorage) rmSync(tempStorage, { recursive: true, force: true });
  };
  if (opts.dns) {
    const { host, port } = opts.dns;
    try {
      // CoreDNS reads the API as a client of its own; its informers sync in a few milliseconds here.
      dns = await startClusterDns(new Client(transport, { userAgent: 'coredns/v1.12.1' }), { host, port, zone: clusterDomain, dnsIP: nthAddress(serviceCidr, 10), clock, log, shared: dnsShared });
      processCluster?.setBackends({ dnsPort: dns.port });
    } catch (e) {
      await stop();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(`DNS port ${port} on ${host} is already in use: pass --dns-port with a free port (0 picks one)`);
      if (code === 'EACCES') throw new Error(`DNS port ${port} on ${host} needs privileges this process lacks: run as root or pass an unprivileged --dns-port`);
      throw e;
    }
  }
  return {
    api,
    client,
    registry,
    backend,
    dns,
    tunnels,
    get pool() {
      return pool;
    },
    get processCluster() {
      return processCluster;
    },
    leading: () => electors.filter((e) => e.isLeader()).map((e) => e.name),
    ready: () => ready,
    stop,
  };
}

/** An object as stored, read straight from the datastore (for checks made before the registry). */
async function readStored(backend: Backend, key: string): Promise<KubeObject | undefined> {
  const kv = await backend.get(key);
  return kv ? (JSON.parse(kv.value) as KubeObject) : undefined;
}

/** The node's resolv.conf (kubelet --resolv-conf), or undefined when it cannot be read. */
function hostResolvConf(): string | undefined {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return undefined;
  }
}

/** Objects every cluster starts with: the system namespaces, the `kubernetes` and `kube-dns` Services. */
async function bootstrap(client: Client, cidr: ServiceCidr): Promise<void> {
  const namespaces = client.resource({ apiVersion: 'v1', resource: 'namespaces', namespaced: false });
  // Together, so the store commits them in one group (one fsync on a fresh data dir).
  await Promise.all([
    ...SYSTEM_NAMESPACES.map(async (name) => {
      if (!(await namespaces.find('', name))) await createIfAbsent(namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    }),
    ensureDefaultStorageClass(client),
  ]);
  const services = client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true });
  const system: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: nthAddress(cidr, 1), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
    },
    // As kind and kubeadm make it; the DNS server itself runs in this process (k8ts up prints where).
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        clusterIP: nthAddress(cidr, 10),
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
    },
  ];
  await Promise.all(
    system.map(async (svc) => {
      if (!(await services.find(svc.metadata.namespace!, svc.metadata.name!))) await createIfAbsent(services.create(svc.metadata.namespace!, svc));
    }),
  );
}
