import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';
import { PodIndex, ServiceIndex, servicesForPodUpdate, SliceIndex } from './indexes.ts';
import { pod, service } from './testing.ts';

/** An informer's handler side: the test plays its events. */
class Events {
  readonly handlers: InformerHandlers[] = [];
  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
  }
  add(o: KubeObject): void {
    for (const h of this.handlers) h.add?.(o);
  }
  update(old: KubeObject, o: KubeObject): void {
    for (const h of this.handlers) h.update?.(old, o);
  }
  delete(o: KubeObject): void {
    for (const h of this.handlers) h.delete?.(o);
  }
}
const asInformer = (e: Events) => e as unknown as Informer;
const withRv = (o: KubeObject, rv: string): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: rv } });

function indexes() {
  const services = new Events();
  const pods = new Events();
  const podIndex = new PodIndex(asInformer(pods));
  return { services, pods, podIndex, idx: new ServiceIndex(asInformer(services), podIndex) };
}
const names = (it: Iterable<KubeObject>) => [...it].map((p) => p.metadata.name).sort();

describe('ServiceIndex', () => {
  it('finds the Services selecting a pod in its namespace, and follows selector changes', () => {
    const { services: ev, idx } = indexes();
    const web = service('web');
    ev.add(web);
    ev.add(service('legacy', { selector: null }));
    ev.add({ ...service('other'), metadata: { ...service('other').metadata, namespace: 'elsewhere' } });
    const p = pod('a', { labels: { app: 'web' } });
    expect(idx.selecting(p)).toEqual(['demo/web']);
    ev.add(service('web2'));
    expect(idx.selecting(p)).toEqual(['demo/web', 'demo/web2']);
    const moved = service('web2', { selector: { app: 'db' } });
    ev.update(service('web2'), moved);
    expect(idx.selecting(p)).toEqual(['demo/web']);
    ev.delete(web);
    expect(idx.selecting(p)).toEqual([]);
  });

  it('needs every label of a selector, whichever label the Service is filed under', () => {
    const { services, idx } = indexes();
    services.add(service('both', { selector: { app: 'web', tier: 'front' } }));
    expect(idx.selecting(pod('a', { labels: { app: 'web' } }))).toEqual([]);
    expect(idx.selecting(pod('b', { labels: { tier: 'front' } }))).toEqual([]);
    expect(idx.selecting(pod('c', { labels: { tier: 'front', app: 'web', x: 'y' } }))).toEqual(['demo/both']);
    expect(idx.selecting({ metadata: { name: 'bare', namespace: 'demo' } })).toEqual([]);
  });

  it('keeps the pods each Service selects through pod and Service changes', () => {
    const { services, pods, idx } = indexes();
    const a = pod('a', { labels: { app: 'web' } });
    pods.add(a);
    services.add(service('web'));
    expect(names(idx.selected('demo/web'))).toEqual(['a']);
    pods.add(pod('b', { labels: { app: 'web' } }));
    pods.add(pod('c', { labels: { app: 'db' } }));
    expect(names(idx.selected('demo/web'))).toEqual(['a', 'b']);
    pods.update(a, pod('a', { labels: { app: 'db' } }));
    expect(names(idx.selected('demo/web'))).toEqual(['b']);
    services.add(service('db', { selector: { app: 'db' } }));
    expect(names(idx.selected('demo/db'))).toEqual(['a', 'c']);
    services.update(service('db', { selector: { app: 'db' } }), service('db', { selector: { app: 'web' } }));
    expect(names(idx.selected('demo/db'))).toEqual(['b']);
    expect(idx.selecting(pod('b', { labels: { app: 'web' } }))).toEqual(['demo/db', 'demo/web']);
    pods.delete(pod('b', { labels: { app: 'web' } }));
    expect(names(idx.selected('demo/web'))).toEqual([]);
    services.delete(service('db', { selector: { app: 'web' } }));
    expect(names(idx.selected('demo/db'))).toEqual([]);
    expect(names(idx.selected('demo/nothing'))).toEqual([]);
  });
});

describe('servicesForPodUpdate', () => {
  const { services: ev, idx } = indexes();
  ev.add(service('web'));
  ev.add(service('db', { selector: { tier: 'db' } }));
  const base = withRv(pod('a', { ip: '10.42.0.5', labels: { app: 'web' } }), '1');

  it.each([
    ['same revision: nothing', base, '1', {}, []],
    ['status noise: nothing', base, '2', {}, []],
    ['readiness: the Services selecting it', base, '2', { ready: false }, ['demo/web']],
    ['joined a Service: only that one', base, '2', { labels: { app: 'web', tier: 'db' } }, ['demo/db']],
    ['left one and joined another, ready changed too: both', base, '2', { labels: { tier: 'db' }, ready: false }, ['demo/web', 'demo/db']],
  ])('%s', (_name, old, rv, change, want) => {
    const next = withRv(pod('a', { ip: '10.42.0.5', labels: { app: 'web' }, ...change }), rv);
    expect(servicesForPodUpdate(idx, old, next)).toEqual(want);
  });
});

describe('PodIndex and SliceIndex', () => {
  it('group pods by namespace and node, slices by Service', () => {
    const ev = new Events();
    const pods = new PodIndex(asInformer(ev));
    const a = pod('a', { node: 'n1' });
    const b = pod('b', { node: 'n1', labels: { app: 'db' } });
    ev.add(a);
    ev.add(b);
    expect(names(pods.inNamespace('demo'))).toEqual(['a', 'b']);
    expect([...pods.onNode('n1')].map((p) => p.metadata.name)).toEqual(['a', 'b']);
    ev.delete(a);
    expect([...pods.onNode('n1')].map((p) => p.metadata.name)).toEqual(['b']);

    const sev = new Events();
    const slices = new SliceIndex(asInformer(sev));
    const slice = (name: string, svc: string): KubeObject => ({ metadata: { name, namespace: 'demo', labels: { 'kubernetes.io/service-name': svc } } });
    sev.add(slice('web-1', 'web'));
    sev.add(slice('web-2', 'web'));
    sev.update(slice('web-2', 'web'), slice('web-2', 'other'));
    expect(slices.of('demo/web').map((s) => s.metadata.name)).toEqual(['web-1']);
    expect(slices.of('demo/other').map((s) => s.metadata.name)).toEqual(['web-2']);
  });
});
