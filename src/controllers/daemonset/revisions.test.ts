// DaemonSet history and the pods it creates: the current revision found, created, renumbered or
// deduplicated; pruning; the pod built for a node.
import { describe, expect, it } from 'vitest';
import { fromLabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { goJson, revisionData } from '../statefulset/revisions.ts';
import { claimPods, isPodUpdated, newDaemonPod } from './pods.ts';
import { computeHash, fnv32a, matchesTemplate, newDaemonSetRevision, planHistory, revisionsToPrune } from './revisions.ts';

const ds = (image: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds', namespace: 'ns', uid: 'u', generation: 3, annotations: { 'deprecated.daemonset.template.generation': '3', note: 'x' } },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image }] } }, revisionHistoryLimit: 2, ...extra },
});
const stored = (d: KubeObject, revision: number, name?: string): KubeObject => {
  const r = newDaemonSetRevision(d, revision);
  return { ...r, metadata: { ...r.metadata, name: name ?? r.metadata.name, uid: `rev-${revision}` } };
};
const pod = (hash: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${hash}`, namespace: 'ns', labels: { app: 'd', 'controller-revision-hash': hash }, ...extra },
  spec: { nodeName: 'n1' },
});

describe('hash and revision', () => {
  it('FNV-1a matches Go hash/fnv New32a', () => {
    expect(fnv32a(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32a(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv32a(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });

  it('names the revision <ds>-<hash>, labels it, copies annotations, records the template patch', () => {
    const d = ds('v1');
    const r = newDaemonSetRevision(d, 1);
    const hash = computeHash(d);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(r.metadata).toMatchObject({ name: `ds-${hash}`, labels: { app: 'd', 'controller-revision-hash': hash }, annotations: d.metadata.annotations });
    expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true, blockOwnerDeletion: true }]);
    expect(r).toMatchObject({ revision: 1, data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image: 'v1', resources: {} }] } } } } });
    // Keys in Go's order, so the served bytes are what kubectl computes.
    expect(JSON.stringify(r.data)).toBe(goJson(revisionData(d)));
    expect(matchesTemplate(d, r)).toBe(true);
    expect(matchesTemplate(ds('v2'), r)).toBe(false);
  });
});

describe('planHistory', () => {
  it('creates revision 1 on the first sync', () => {
    const h = planHistory(ds('v1'), []);
    expect(h.create?.revision).toBe(1);
    expect(h.current).toBeUndefined();
  });

  it('creates revision max+1 for a new template', () => {
    const h = planHistory(ds('v3'), [stored(ds('v1'), 1), stored(ds('v2'), 2)]);
    expect(h.create?.revision).toBe(3);
    expect(h.old.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('reuses the newest matching revision', () => {
    const cur = stored(ds('v2'), 2);
    const h = planHistory(ds('v2'), [stored(ds('v1'), 1), cur]);
    expect(h).toMatchObject({ current: cur, duplicates: [], relabel: [] });
    expect(h.renumber).toBeUndefined();
  });

  it('renumbers an older matching revision on rollback', () => {
    const one = stored(ds('v1'), 1);
    const h = planHistory(ds('v1'), [one, stored(ds('v2'), 2)]);
    expect(h.current).toBe(one);
    expect(h.renumber).toBe(3);
  });

  it('keeps the highest of duplicates', () => {
    const a = stored(ds('v1'), 1, 'ds-a');
    const b = stored(ds('v1'), 4, 'ds-b');
    const h = planHistory(ds('v1'), [b, a, stored(ds('v2'), 2)]);
    expect(h.current).toBe(b);
    expect(h.duplicates).toEqual([a]);
    expect(h.renumber).toBeUndefined();
  });

  it('labels a revision lacking the hash label with its name', () => {
    const r = stored(ds('v1'), 1);
    delete r.metadata.labels!['controller-revision-hash'];
    const h = planHistory(ds('v1'), [r]);
    expect(h.relabel.map((x) => x.metadata.labels!['controller-revision-hash'])).toEqual([r.metadata.name]);
    expect(h.current?.metadata.labels!['controller-revision-hash']).toBe(r.metadata.name);
  });
});

describe('revisionsToPrune', () => {
  const old = [1, 2, 3, 4].map((i) => stored(ds(`v${i}`), i));
  const hashOf = (r: KubeObject) => r.metadata.labels!['controller-revision-hash']!;

  it('deletes the oldest beyond the limit', () => {
    expect(revisionsToPrune(ds('v5'), old, []).map((r) => r.revision)).toEqual([1, 2]);
  });

  it('skips revisions a pod uses, terminating ones included', () => {
    expect(revisionsToPrune(ds('v5'), old, [pod(hashOf(old[0]!), { deletionTimestamp: 'x' })]).map((r) => r.revision)).toEqual([2, 3]);
  });

  it('prunes nothing within the limit', () => {
    expect(revisionsToPrune(ds('v5', { revisionHistoryLimit: 10 }), old, [])).toEqual([]);
  });
});

describe('pods', () => {
  it('builds a pod from the template with labels, annotations, finalizers, tolerations and the pin', () => {
    const d = ds('v1', { template: { metadata: { labels: { app: 'd' }, annotations: { a: '1' }, finalizers: ['f'] }, spec: { containers: [{ name: 'c', image: 'v1' }], hostNetwork: true } } });
    const p = newDaemonPod(d, 'n9', 'abc');
    expect(p.metadata).toEqual({
      generateName: 'ds-',
      namespace: 'ns',
      labels: { app: 'd', 'pod-template-generation': '3', 'controller-revision-hash': 'abc' },
      annotations: { a: '1' },
      finalizers: ['f'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true, blockOwnerDeletion: true }],
    });
    const spec = p.spec as { nodeName?: string; tolerations: unknown[]; affinity: unknown };
    expect(spec.nodeName).toBeUndefined();
    expect(spec.tolerations).toHaveLength(7);
    expect(spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }] } } });
    // The template itself is untouched.
    expect((d.spec as { template: { spec: { tolerations?: unknown } } }).template.spec.tolerations).toBeUndefined();
  });

  it('leaves the generation label out without the annotation', () => {
    const d = ds('v1');
    delete d.metadata.annotations!['deprecated.daemonset.template.generation'];
    expect(newDaemonPod(d, 'n1', 'abc').metadata.labels).toEqual({ app: 'd', 'controller-revision-hash': 'abc' });
  });

  it('a pod is updated by its hash or by the template generation', () => {
    expect(isPodUpdated(pod('abc'), 'abc', undefined)).toBe(true);
    expect(isPodUpdated(pod('old'), 'abc', undefined)).toBe(false);
    expect(isPodUpdated({ ...pod('old'), metadata: { ...pod('old').metadata, labels: { 'pod-template-generation': '3' } } }, 'abc', 3)).toBe(true);
    expect(isPodUpdated(pod(''), '', undefined)).toBe(false);
  });

  it('claims owned matching pods, adopts matching orphans, releases owned pods that stopped matching', () => {
    const d = ds('v1');
    const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true };
    const owned = pod('a', { name: 'owned', ownerReferences: [ref] });
    const orphan = pod('b', { name: 'orphan' });
    const strayed = { ...pod('c', { name: 'strayed', ownerReferences: [ref] }), metadata: { name: 'strayed', namespace: 'ns', labels: { app: 'other' }, ownerReferences: [ref] } };
    const foreign = pod('d', { name: 'foreign', ownerReferences: [{ ...ref, uid: 'other' }] });
    const dying = pod('e', { name: 'dying', deletionTimestamp: 'x' });
    const out = claimPods(d, [owned, orphan, strayed, foreign, dying], fromLabelSelector({ matchLabels: { app: 'd' } }));
    expect(out.pods.map((p) => p.metadata.name)).toEqual(['owned', 'orphan']);
    expect(out.adopt.map((p) => p.metadata.name)).toEqual(['orphan']);
    expect(out.release.map((p) => p.metadata.name)).toEqual(['strayed']);
  });
});
