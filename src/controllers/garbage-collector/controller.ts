// The garbage collector: watches every resource, indexes ownerReferences, deletes dependents whose
// owners are gone, cascades foreground deletion and orphans dependents on request
// (pkg/controller/garbagecollector). Decisions are in owners.ts; this file keeps the graph and acts.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { groupVersion, type ResourceInfo } from '../../api/resources.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { ownerMayFinish, planDependent, withoutRefs, type OwnerState } from './owners.ts';

interface Node {
  rc: ResourceClient;
  obj: KubeObject;
}

const IGNORED = new Set(['events', 'bindings']);

export class GarbageCollector {
  private readonly informers: { info: ResourceInfo; informer: Informer; rc: ResourceClient; stop: AbortController }[] = [];
  /** uid → the object with that uid. */
  private readonly byUid = new Map<string, Node>();
  /** owner uid → dependent uids. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue: WorkQueue;

  private readonly seen = new Set<string>();
  private signal: AbortSignal | undefined;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: Client,
    resources: ResourceInfo[],
    private readonly clock: Clock,
    private readonly log: (m: string) => void = () => {},
  ) {
    this.queue = new WorkQueue((key) => this.process(key), { clock, workers: 2, log: (m) => log(`garbage collector: ${m}`) });
    for (const info of resources) this.addResource(info);
  }

  /** Starts watching a resource (custom resources arrive after start). */
  addResource(info: ResourceInfo): void {
    const storage = `${info.group}/${info.resource}`;
    if (IGNORED.has(info.resource) || this.seen.has(storage) || !info.verbs.includes('watch')) return;
    this.seen.add(storage);
    const rc = this.client.resource({ apiVersion: groupVersion(info), resource: info.resource, namespaced: info.namespaced });
    const informer = new Informer(rc, { clock: this.clock, log: this.log });
    informer.addHandlers({
      add: (o) => this.observe(rc, o),
      update: (_old, o) => this.observe(rc, o),
      delete: (o) => this.forget(o),
    });
    const stop = new AbortController();
    const entry = { info, informer, rc, stop };
    this.informers.push(entry);
    if (this.signal) this.start(entry);
  }

  /** Stops watching a withdrawn resource. */
  removeResource(info: ResourceInfo): void {
    const i = this.informers.findIndex((x) => x.info.group === info.group && x.info.resource === info.resource);
    if (i < 0) return;
    const [entry] = this.informers.splice(i, 1);
    entry!.stop.abort();
    this.seen.delete(`${info.group}/${info.resource}`);
  }

  private start(entry: { informer: Informer; stop: AbortController }): void {
    this.signal!.addEventListener('abort', () => entry.stop.abort(), { once: true });
    this.running.push(entry.informer.run(entry.stop.signal));
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    for (const entry of this.informers) this.start(entry);
    await this.queue.run(signal);
    await Promise.allSettled(this.running);
  }

  waitForSync(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.informer.waitForSync())).then(() => undefined);
  }

  private observe(rc: ResourceClient, obj: KubeObject): void {
    const uid = obj.metadata.uid!;
    const prev = this.byUid.get(uid);
    for (const r of prev?.obj.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(uid);
    this.byUid.set(uid, { rc, obj });
    for (const r of obj.metadata.ownerReferences ?? []) {
      if (!this.dependents.has(r.uid)) this.dependents.set(r.uid, new Set());
      this.dependents.get(r.uid)!.add(uid);
      if (!this.byUid.has(r.uid) || this.isDeleting(r.uid)) this.queue.add(uid);
    }
    const fins = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (fins.includes('orphan') || fins.includes('foregroundDeletion'))) this.queue.add(uid);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid!;
    this.byUid.delete(uid);
    for (const r of obj.metadata.ownerReferences ?? []) {
      this.dependents.get(r.uid)?.delete(uid);
      // An owner in foreground deletion may now be free to go.
      if (this.byUid.has(r.uid)) this.queue.add(r.uid);
    }
    for (const d of this.dependents.get(uid) ?? []) this.queue.add(d);
  }

  private isDeleting(uid: string): boolean {
    const n = this.byUid.get(uid);
    return !!n?.obj.metadata.deletionTimestamp;
  }

  private async process(uid: string): Promise<void> {
    const node = this.byUid.get(uid);
    if (!node) return;
    const fins = node.obj.metadata.finalizers ?? [];
    if (node.obj.metadata.deletionTimestamp && fins.includes('orphan')) await this.orphan(node);
    else if (node.obj.metadata.deletionTimestamp && fins.includes('foregroundDeletion')) await this.foreground(node);
    if (node.obj.metadata.ownerReferences?.length) await this.checkDependent(node);
  }

  /** Owner states from the graph, confirming absences with a live read (the cache may lag). */
  private async ownerStates(dep: KubeObject): Promise<Map<string, OwnerState>> {
    const states = new Map<string, OwnerState>();
    for (const ref of dep.metadata.ownerReferences ?? []) {
      const known = this.byUid.get(ref.uid);
      let owner = known?.obj;
      if (!owner) {
        const target = this.informers.find((i) => groupVersion(i.info) === ref.apiVersion && i.info.kind === ref.kind) ?? this.kindFallback(ref.apiVersion, ref.kind);
        if (!target) {
          states.set(ref.uid, 'present'); // unknown kind: never delete on a guess
          continue;
        }
        const live = await target.rc.find(target.info.namespaced ? dep.metadata.namespace ?? '' : '', ref.name);
        owner = live && live.metadata.uid === ref.uid ? live : undefined;
      }
      if (!owner) states.set(ref.uid, 'absent');
      else if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion')) states.set(ref.uid, 'deletingForeground');
      else states.set(ref.uid, 'present');
    }
    return states;
  }

  private kindFallback(apiVersion: string, kind: string) {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return this.informers.find((i) => i.info.group === group && i.info.kind === kind);
  }

  private async checkDependent(node: Node): Promise<void> {
    const dep = node.obj;
    const action = planDependent(dep, await this.ownerStates(dep));
    const ns = dep.metadata.namespace ?? '';
    if (action.type === 'delete') {
      await node.rc.delete(ns, dep.metadata.name!, { propagationPolicy: action.propagation, preconditions: { uid: dep.metadata.uid } });
    } else if (action.type === 'removeRefs') {
      await node.rc.patch(ns, dep.metadata.name!, 'merge', { metadata: { uid: dep.metadata.uid, ownerReferences: withoutRefs(dep, action.uids) } }, { fieldManager: 'garbage-collector' });
    }
  }

  private dependentNodes(uid: string): Node[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((n): n is Node => !!n);
  }

  private async orphan(owner: Node): Promise<void> {
    const uid = owner.obj.metadata.uid!;
    for (const d of this.dependentNodes(uid)) {
      await d.rc.patch(d.obj.metadata.namespace ?? '', d.obj.metadata.name!, 'merge', { metadata: { ownerReferences: withoutRefs(d.obj, [uid]) } }, { fieldManager: 'garbage-collector' }).catch(ignoreNotFound);
    }
    await this.removeFinalizer(owner, 'orphan');
  }

  private async foreground(owner: Node): Promise<void> {
    const uid = owner.obj.metadata.uid!;
    const deps = this.dependentNodes(uid);
    for (const d of deps) {
      if (d.obj.metadata.deletionTimestamp) continue;
      await this.checkDependent(d).catch(ignoreNotFound);
    }
    if (ownerMayFinish(deps.map((d) => d.obj), uid)) await this.removeFinalizer(owner, 'foregroundDeletion');
  }

  private async removeFinalizer(owner: Node, finalizer: string): Promise<void> {
    const o = owner.obj;
    await owner.rc
      .patch(o.metadata.namespace ?? '', o.metadata.name!, 'merge', { metadata: { resourceVersion: o.metadata.resourceVersion, finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== finalizer) } }, { fieldManager: 'garbage-collector' })
      .catch(ignoreNotFound);
  }
}

function ignoreNotFound(e: unknown): void {
  if (e instanceof ApiError && e.code === 404) return;
  throw e;
}
