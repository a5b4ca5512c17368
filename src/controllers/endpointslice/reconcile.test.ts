import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';
import { PodIndex, ServiceIndex, servicesForPodUpdate, SliceIndex } from '../endpoints/indexes.ts';
import { pod, service } from '../endpoints/testing.ts';
import type { WriteTracker } from '../endpoints/write-tracker.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { ENDPOINTSLICE_CONTROLLER, type Endpoint } from './endpoint.ts';
import { EndpointSliceReconciler } from './reconcile.ts';

/** An informer's cache and handlers, driven by the test. */
class Store {
  readonly handlers: InformerHandlers[] = [];
  readonly objects = new Map<string, KubeObject>();
  resourceVersion = '1';
  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
  }
  get(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(ns ? `${ns}/${name}` : name);
  }
  put(o: KubeObject): void {
    const k = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!;
    const old = this.objects.get(k);
    this.objects.set(k, o);
    for (const h of this.handlers) {
      if (old) h.update?.(old, o);
      else h.add?.(o);
    }
  }
  remove(o: KubeObject): void {
    const k = `${o.metadata.namespace}/${o.metadata.name}`;
    const old = this.objects.get(k);
    if (!old) return;
    this.objects.delete(k);
    for (const h of this.handlers) h.delete?.(old);
  }
}
const inf = (s: Store) => s as unknown as Informer;

/** A Service, its pods and its slices, with a reconciler writing into the slice store. */
function world(maxEndpointsPerSlice = 10) {
  const pods = new Store();
  const services = new Store();
  const nodes = new Store();
  const slices = new Store();
  const podIndex = new PodIndex(inf(pods));
  const serviceIndex = new ServiceIndex(inf(services), podIndex);
  const sliceIndex = new SliceIndex(inf(slices));
  let n = 0;
  const writes = { created: 0, updated: [] as string[], deleted: [] as string[] };
  const api = {
    async create(_ns: string, s: KubeObject) {
      n++;
      const stored = JSON.parse(JSON.stringify({ ...s, metadata: { ...s.metadata, name: `web-${n}`, uid: `s${n}`, resourceVersion: String(n) } }));
      slices.put(stored);
      writes.created++;
      return stored;
    },
    async update(_ns: string, s: KubeObject) {
      writes.updated.push(s.metadata.name!);
      const stored = JSON.parse(JSON.stringify({ ...s, metadata: { ...s.metadata, resourceVersion: String(++n) } }));
      slices.put(stored);
      return stored;
    },
    async delete(_ns: string, name: string) {
      writes.deleted.push(name);
      slices.remove(slices.get('demo', name)!);
      return undefined;
    },
  } as unknown as ResourceClient;
  const tracker = { stale: () => false, wrote() {}, deleted() {}, forget() {} } as unknown as WriteTracker;
  const recorder = { event() {} } as unknown as EventRecorder;
  const deps = { services: serviceIndex, pods: podIndex, nodes: inf(nodes), slices: sliceIndex, tracker, recorder, controllerName: ENDPOINTSLICE_CONTROLLER, maxEndpointsPerSlice };
  const rec = new EndpointSliceReconciler({ ...deps, api });
  // A second reconciler that only plans, always from all pods.
  const reference = new EndpointSliceReconciler({ ...deps, api: null as unknown as ResourceClient });
  // The pod events reach the reconciler as the controller passes them on.
  pods.addHandlers({
    add: (p) => serviceIndex.selecting(p).forEach((k) => rec.podChanged(k, p.metadata.name!)),
    update: (old, p) => servicesForPodUpdate(serviceIndex, old, p).forEach((k) => rec.podChanged(k, p.metadata.name!)),
    delete: (p) => serviceIndex.selecting(p).forEach((k) => rec.podChanged(k, p.metadata.name!)),
  });
  nodes.put({ metadata: { name: 'node-a' } });
  return { pods, services, nodes, slices, rec, reference, writes };
}

let rv = 0;
const podNo = (i: number, o: { ready?: boolean; app?: string } = {}) => ({
  ...pod(`p${i}`, { ip: `10.42.${Math.floor(i / 200)}.${(i % 200) + 2}`, ready: o.ready, labels: { app: o.app ?? 'web' } }),
  metadata: { ...pod(`p${i}`, { labels: { app: o.app ?? 'web' } }).metadata, resourceVersion: String(++rv) },
});
const published = (slices: Store) =>
  [...slices.objects.values()]
    .flatMap((s) => (s.endpoints as Endpoint[]).map((e) => `${e.targetRef?.name}:${e.conditions?.ready}`))
    .sort();
const wanted = (pods: Store) =>
  [...pods.objects.values()]
    .filter((p) => p.metadata.labels?.app === 'web')
    .map((p) => `${p.metadata.name}:${(p.status as { conditions: { status: string }[] }).conditions[0]!.status === 'True'}`)
    .sort();

describe('EndpointSliceReconciler: planning from changed pods', () => {
  it('gives the slices a full pass gives, over a random run of pod changes', async () => {
    const w = world();
    const svc = service('web');
    w.services.put(svc);
    for (let i = 0; i < 45; i++) w.pods.put(podNo(i));
    await w.rec.sync('demo/web');
    expect(published(w.slices)).toEqual(wanted(w.pods));
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let next = 45;
    for (let step = 0; step < 300; step++) {
      // One to three changes: readiness, leaving or joining the selector, new pods, deletions.
      for (let c = rand(3) + 1; c > 0; c--) {
        const names = [...w.pods.objects.values()];
        const victim = names[rand(names.length)]!;
        const i = Number(victim.metadata.name!.slice(1));
        switch (rand(5)) {
          case 0:
            w.pods.put(podNo(i, { ready: rand(2) === 0, app: victim.metadata.labels?.app }));
            break;
          case 1:
            w.pods.put(podNo(i, { app: victim.metadata.labels?.app === 'web' ? 'off' : 'web' }));
            break;
          case 2:
            w.pods.remove(victim);
            break;
          default:
            w.pods.put(podNo(next++));
        }
      }
      const full = w.reference.plan(svc, 'demo/web', { full: true });
      w.writes.created = 0;
      w.writes.updated = [];
      w.writes.deleted = [];
      await w.rec.sync('demo/web');
      // The same slices written, as many created, and the same endpoints published.
      expect(w.writes.updated.sort()).toEqual(full.update.map((s) => s.metadata.name).sort());
      expect(w.writes.deleted.sort()).toEqual(full.delete.map((s) => s.metadata.name).sort());
      expect(w.writes.created).toBe(full.create.length);
      expect(published(w.slices)).toEqual(wanted(w.pods));
      for (const s of w.slices.objects.values()) expect((s.endpoints as unknown[]).length).toBeLessThanOrEqual(10);
    }
  });

  it('looks at everything again after another writer touched a slice', async () => {
    const w = world();
    const svc = service('web');
    w.services.put(svc);
    for (let i = 0; i < 25; i++) w.pods.put(podNo(i));
    await w.rec.sync('demo/web');
    // Someone empties a slice behind the controller's back.
    const victim = [...w.slices.objects.values()][0]!;
    w.slices.put({ ...victim, endpoints: [], metadata: { ...victim.metadata, resourceVersion: '999' } });
    w.rec.unsettle('demo/web');
    w.pods.put(podNo(3, { ready: false }));
    await w.rec.sync('demo/web');
    expect(published(w.slices)).toEqual(wanted(w.pods));
  });
});
