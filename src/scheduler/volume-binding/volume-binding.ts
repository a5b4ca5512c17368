// The VolumeBinding plugin of the scheduler (pkg/scheduler/framework/plugins/volumebinding
// volume_binding.go with binder.go AssumePodVolumes, BindPodVolumes, checkBindings): the
// scheduler's volumePreFilter, volumeFilter and volumePreBind hooks. Filter remembers, per pod
// and node, which volumes it would bind or provision; PreBind writes exactly that (claimRef on
// static volumes, the selected-node annotation on claims to provision), then waits until the PV
// controller and the provisioner have bound every claim of the pod, and only then lets the pod
// binding proceed. Until the informers show its writes, the plugin's own assumptions overlay
// the caches, so the next pod cannot pick a volume already promised to another.
import type { KubeObject } from '../../api/meta/types.ts';
import {
  ANN_SELECTED_NODE,
  claimClass,
  volumeClass,
  volumeNodeAffinityMatches,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../api/storage/volume.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import { bindVolumeToClaim } from '../../controllers/persistentvolume/binding.ts';
import { CandidateIndex } from '../../controllers/persistentvolume/candidate-index.ts';
import type { Clock } from '../../util/clock.ts';
import type { Node, Pod } from '../types.ts';
import { findPodVolumes, isClaimFullyBound, podVolumeClaims, preFilterMessage, type NodeVolumes, type VolumeView } from './binder.ts';

export interface VolumeBindingOptions {
  client: Client;
  clock: Clock;
  /** How long PreBind waits for the claims to be bound (upstream bindTimeoutSeconds, 600 s). */
  bindTimeoutMs?: number;
  log?: (m: string) => void;
}

type NodeLite = { metadata: { name?: string; labels?: Record<string, string> } };

interface Waiter {
  check(): boolean;
  /** The claims (`ns/name`) and volumes (`name`) whose changes can finish or fail it. */
  keys: readonly string[];
}

const rv = (o: KubeObject | undefined) => Number(o?.metadata.resourceVersion ?? 0);

export class VolumeBinding {
  readonly claims: Informer;
  readonly volumes: Informer;
  readonly classes: Informer;
  private readonly claimsApi: ResourceClient;
  private readonly volumesApi: ResourceClient;
  /** Volumes promised to a claim by a PreBind under way (name → volume as written). */
  private readonly assumedVolumes = new Map<string, PersistentVolume>();
  /** Claims given a selected node by a PreBind under way (ns/name → claim as written). */
  private readonly assumedClaims = new Map<string, PersistentVolumeClaim>();
  /** Filter's decisions of the current cycle, by pod uid then node name. */
  private readonly decisions = new Map<string, Map<string, NodeVolumes>>();
  private readonly waiters = new Set<Waiter>();
  // Waiters by the objects they watch: a change checks only those, not every pod being bound.
  private readonly waitersByKey = new Map<string, Set<Waiter>>();
  private readonly listeners: (() => void)[] = [];
  /** The nodes Filter saw, for the affinity checks of PreBind. */
  private readonly nodes = new Map<string, NodeLite>();
  readonly view: VolumeView;

  constructor(private readonly opts: VolumeBindingOptions) {
    const { client, clock } = opts;
    this.claimsApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    this.volumesApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
    this.claims = new Informer(this.claimsApi, { clock, log: opts.log });
    this.volumes = new Informer(this.volumesApi, { clock, log: opts.log });
    this.classes = new Informer(client.resource({ apiVersion: 'storage.k8s.io/v1', resource: 'storageclasses', namespaced: false }), { clock, log: opts.log });
    // A claim or volume change concerns the waiters on it; a class change may concern any.
    const handlers = (assumed: Map<string, KubeObject>, concernsAll: boolean) => {
      const changed = (o: KubeObject, gone: boolean) => {
        const key = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!;
        const a = assumed.get(key);
        if (gone || (a && rv(o) >= rv(a))) assumed.delete(key);
        this.notify(concernsAll ? undefined : key);
      };
      return { add: (o: KubeObject) => changed(o, false), update: (_o: KubeObject, n: KubeObject) => changed(n, false), delete: (o: KubeObject) => changed(o, true) };
    };
    this.claims.addHandlers(handlers(this.assumedClaims, false));
    this.volumes.addHandlers(handlers(this.assumedVolumes, false));
    this.classes.addHandlers(handlers(new Map(), true));
    // Filter runs per pod and node: matching against every provisioned volume each time cost
    // O(nodes × volumes) per pod; only free volumes and those held for the claim can match.
    const candidates = new CandidateIndex(this.volumes);
    const newer = <T extends KubeObject>(cached: KubeObject | undefined, assumed: T | undefined): T | undefined =>
      (assumed && (!cached || rv(assumed) > rv(cached)) ? assumed : cached) as T | undefined;
    this.view = {
      claim: (ns, name) => newer(this.claims.get(ns, name), this.assumedClaims.get(`${ns}/${name}`)),
      volume: (name) => newer(this.volumes.get('', name), this.assumedVolumes.get(name)),
      candidateVolumes: (pvc) => {
        const cls = claimClass(pvc);
        const names = candidates.candidates(pvc.metadata.namespace ?? '', pvc.metadata.name!);
        // A volume this scheduler promised the claim, while the cache still shows it elsewhere.
        for (const [name, a] of this.assumedVolumes) {
          const ref = a.spec?.claimRef;
          if (ref?.namespace === pvc.metadata.namespace && ref?.name === pvc.metadata.name && !names.includes(name)) names.push(name);
        }
        const out: PersistentVolume[] = [];
        for (const name of names) {
          const v = newer<PersistentVolume>(this.volumes.get('', name), this.assumedVolumes.get(name));
          if (v && this.volumes.get('', name) && volumeClass(v) === cls) out.push(v);
        }
        return out;
      },
      storageClass: (name) => this.classes.get('', name) as StorageClass | undefined,
    };
  }

  /** Called after any claim, volume or class change (the scheduler retries pods with claims). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.claims.run(signal), this.volumes.run(signal), this.classes.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.claims.waitForSync(), this.volumes.waitForSync(), this.classes.waitForSync()]).then(() => undefined);
  }

  /** PreFilter: a reason rejects every node (UnschedulableAndUnresolvable). */
  readonly volumePreFilter = async (pod: Pod): Promise<string | undefined> => {
    await this.waitForSync();
    this.decisions.delete(pod.metadata.uid!);
    return preFilterMessage(podVolumeClaims(pod, this.view));
  };

  /** Filter: the reasons this node cannot serve the pod's volumes; the node's plan is kept for PreBind. */
  readonly volumeFilter = async (pod: Pod, node: Node): Promise<string[] | undefined> => {
    const claims = podVolumeClaims(pod, this.view);
    if ('error' in claims) return [claims.error];
    this.nodes.set(node.metadata.name!, node);
    const found = findPodVolumes(claims, node, this.view);
    if (found.error) return [found.error];
    if (found.reasons.length) return found.reasons;
    let byNode = this.decisions.get(pod.metadata.uid!);
    if (!byNode) this.decisions.set(pod.metadata.uid!, (byNode = new Map()));
    byNode.set(node.metadata.name!, found);
    return undefined;
  };

  /**
   * PreBind: assume, write, then wait until every claim of the pod is bound. Throws (and forgets
   * its assumptions) when a write fails, a binding is undone, or the wait times out.
   */
  readonly volumePreBind = async (pod: Pod, nodeName: string): Promise<void> => {
    const uid = pod.metadata.uid!;
    let plan = this.decisions.get(uid)?.get(nodeName);
    this.decisions.delete(uid);
    const node = this.nodes.get(nodeName) ?? { metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName } } };
    if (!plan) {
      // Filter did not decide for this node in this process: decide again.
      const claims = podVolumeClaims(pod, this.view);
      if ('error' in claims) throw new Error(`binding volumes: ${claims.error}`);
      plan = findPodVolumes(claims, node, this.view);
      if (plan.error || plan.reasons.length) throw new Error(`binding volumes: ${plan.error ?? plan.reasons.join(', ')}`);
    }
    const decided = plan;
    if (!decided.staticBindings.length && !decided.provisions.length) return;
    // Assume synchronously, before the next scheduling cycle can look.
    const volumeWrites = decided.staticBindings.map(({ pv, pvc }) => bindVolumeToClaim(pv, pvc) ?? pv);
    const claimWrites = decided.provisions.map((pvc) => {
      const next = structuredClone(pvc) as PersistentVolumeClaim;
      next.metadata.annotations = { ...next.metadata.annotations, [ANN_SELECTED_NODE]: nodeName };
      return next;
    });
    const key = (c: KubeObject) => `${c.metadata.namespace}/${c.metadata.name}`;
    // Marked newer than the cached copy they came from, so the view prefers them.
    const assumed = <T extends KubeObject>(o: T): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rv(o) + 0.5) } });
    for (const v of volumeWrites) this.assumedVolumes.set(v.metadata.name!, assumed(v));
    for (const c of claimWrites) this.assumedClaims.set(key(c), assumed(c));
    const written: KubeObject[] = [];
    try {
      for (const v of volumeWrites) {
        const w = (await this.volumesApi.update('', v)) as PersistentVolume;
        this.assumedVolumes.set(v.metadata.name!, w);
        written.push(w);
      }
      for (const c of claimWrites) {
        const w = (await this.claimsApi.update(c.metadata.namespace!, c)) as PersistentVolumeClaim;
        this.assumedClaims.set(key(c), w);
        written.push(w);
      }
      const keys = [...decided.staticBindings.flatMap(({ pv, pvc }) => [pv.metadata.name!, key(pvc)]), ...decided.provisions.map(key)];
      await this.waitForBindings(() => this.checkBindings(decided, written, node), keys);
    } catch (e) {
      for (const v of volumeWrites) this.assumedVolumes.delete(v.metadata.name!);
      for (const c of claimWrites) this.assumedClaims.delete(key(c));
      const msg = (e as Error).message;
      throw new Error(msg.startsWith('binding volumes: ') ? msg : `binding volumes: ${msg}`);
    }
  };

  /** After a change of the claim or volume `key` (undefined: of anything), checks whose waiters it concerns. */
  private notify(key?: string): void {
    const concerned = key === undefined ? this.waiters : this.waitersByKey.get(key);
    if (concerned) for (const w of [...concerned]) w.check();
    for (const fn of this.listeners) fn();
  }

  private forget(waiter: Waiter): boolean {
    if (!this.waiters.delete(waiter)) return false;
    for (const k of waiter.keys) {
      const set = this.waitersByKey.get(k);
      set?.delete(waiter);
      if (set?.size === 0) this.waitersByKey.delete(k);
    }
    return true;
  }

  /** Resolves when check() says done, rejects when it throws or the bind timeout passes. */
  private waitForBindings(check: () => boolean, keys: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let cancel = () => {};
      const waiter: Waiter = {
        keys,
        check: () => {
          let done: boolean;
          try {
            done = check();
          } catch (e) {
            this.forget(waiter);
            cancel();
            reject(e as Error);
            return true;
          }
          if (done) {
            this.forget(waiter);
            cancel();
            resolve();
          }
          return done;
        },
      };
      if (waiter.check()) return;
      this.waiters.add(waiter);
      for (const k of keys) {
        let set = this.waitersByKey.get(k);
        if (!set) this.waitersByKey.set(k, (set = new Set()));
        set.add(waiter);
      }
      cancel = this.opts.clock.setTimer(() => {
        if (this.forget(waiter)) reject(new Error('binding volumes: context deadline exceeded'));
      }, this.opts.bindTimeoutMs ?? 600_000);
    });
  }

  /**
   * checkBindings against the informer caches: false while the PV controller or the provisioner
   * has work left (or the cache predates our writes); throws when a binding was undone.
   */
  private checkBindings(plan: NodeVolumes, written: readonly KubeObject[], node: NodeLite): boolean {
    const id = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const writtenRv = new Map(written.map((o) => [id(o), rv(o)]));
    const stale = (o: KubeObject) => rv(o) < (writtenRv.get(id(o)) ?? 0);
    const claimNow = (pvc: PersistentVolumeClaim) => {
      const c = this.claims.get(pvc.metadata.namespace!, pvc.metadata.name!) as PersistentVolumeClaim | undefined;
      if (!c || c.metadata.uid !== pvc.metadata.uid) throw new Error(`failed to check binding: persistentvolumeclaim "${pvc.metadata.name}" not found`);
      return c;
    };
    for (const { pv: chosen, pvc } of plan.staticBindings) {
      const pv = this.volumes.get('', chosen.metadata.name!) as PersistentVolume | undefined;
      if (!pv) throw new Error(`failed to check binding: persistentvolume "${chosen.metadata.name}" not found`);
      if (stale(pv)) return false;
      if (!volumeNodeAffinityMatches(pv, node)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${node.metadata.name}"`);
      if (!pv.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv "${pv.metadata.name}"`);
      if (!isClaimFullyBound(claimNow(pvc))) return false;
    }
    for (const want of plan.provisions) {
      const pvc = claimNow(want);
      if (stale(pvc)) return false;
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) throw new Error(`selectedNode annotation reset for PVC "${pvc.metadata.name}"`);
      if (selected !== node.metadata.name) throw new Error(`provisioning failed for PVC "${pvc.metadata.name}"`);
      if (pvc.spec?.volumeName) {
        const pv = this.volumes.get('', pvc.spec.volumeName) as PersistentVolume | undefined;
        if (pv && !volumeNodeAffinityMatches(pv, node)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${node.metadata.name}"`);
      }
      if (!isClaimFullyBound(pvc)) return false;
    }
    return true;
  }
}
