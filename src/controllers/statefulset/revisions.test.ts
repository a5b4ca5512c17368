import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { applyRevision, createRevision, fnv32, goJson, hashRevision, newRevision, planRevisions, revisionsToPrune, safeEncode } from './revisions.ts';

const set = (image = 'nginx:1.25', extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', annotations: { 'kubernetes.io/change-cause': 'rollout' } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } }, revisionHistoryLimit: 2, ...extra },
});

describe('encoding and hash', () => {
  it('FNV-1 (not 1a) 32-bit, as Go hash/fnv New32', () => {
    expect(fnv32(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32(Buffer.from('a'))).toBe(0x050c5d7e);
    expect(fnv32(Buffer.from('foobar'))).toBe(0x31f0b262);
  });

  it('safe-encodes the decimal digits into the vowel-free alphabet', () => {
    expect(safeEncode('0123456789')).toBe('456789bcdf');
  });

  it('writes JSON as Go does for a map: sorted keys, HTML-safe', () => {
    expect(goJson({ b: 1, a: { d: [true, null], c: 'x<y&z>' } })).toBe('{"a":{"c":"x\\u003cy\\u0026z\\u003e","d":[true,null]},"b":1}');
  });

  it('the data is the template patch with $patch: replace and resources {} as the typed encoding writes', () => {
    const r = newRevision(set(), 1, 0);
    expect(r.data).toEqual({ spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } } } });
    expect(goJson(r.data)).toBe('{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"nginx","resources":{}}]}}}}');
  });

  it('names the revision <set>-<hash>, labels it with the hash and copies annotations', () => {
    const r = newRevision(set(), 1, 0);
    const hash = hashRevision(r.data, 0);
    expect(hash).toMatch(/^[456789bcdf]{1,10}$/);
    expect(r.metadata.name).toBe(`web-${hash}`);
    expect(r.metadata.labels).toEqual({ app: 'web', 'controller.kubernetes.io/hash': hash });
    expect(r.metadata.annotations).toEqual({ 'kubernetes.io/change-cause': 'rollout' });
    expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  });

  it('is stable across key order, changes with the template and the collision count', () => {
    const a = set();
    const b: KubeObject = { ...a, spec: { template: { spec: { containers: [{ image: 'nginx:1.25', name: 'nginx' }] }, metadata: { labels: { app: 'web' } } } } };
    expect(newRevision(a, 1, 0).metadata.name).toBe(newRevision(b, 5, 0).metadata.name);
    expect(newRevision(set('nginx:1.26'), 1, 0).metadata.name).not.toBe(newRevision(a, 1, 0).metadata.name);
    expect(newRevision(a, 1, 1).metadata.name).not.toBe(newRevision(a, 1, 0).metadata.name);
  });

  it('applyRevision puts the recorded template back', () => {
    const old = newRevision(set('nginx:1.25'), 1, 0);
    const applied = applyRevision(set('nginx:1.26'), old);
    expect((applied.spec as any).template.spec.containers[0].image).toBe('nginx:1.25');
    expect((applied.spec as any).template.$patch).toBeUndefined();
  });
});

describe('planRevisions', () => {
  const stored = (r: KubeObject, ts = '2026-01-01T00:00:00Z'): KubeObject => ({ ...r, metadata: { ...r.metadata, uid: r.metadata.name, creationTimestamp: ts } });

  it('first sync: creates revision 1, current = update', () => {
    const p = planRevisions(set(), []);
    expect(p.action.kind).toBe('create');
    expect((p.update as any).revision).toBe(1);
    expect(p.current).toBe(p.update);
  });

  it('unchanged template: reuses the newest revision', () => {
    const r1 = stored(newRevision(set(), 1, 0));
    const p = planRevisions({ ...set(), status: { currentRevision: r1.metadata.name } }, [r1]);
    expect(p.action).toEqual({ kind: 'none' });
    expect(p.update).toBe(r1);
  });

  it('rollback: renumbers the equal older revision instead of creating one', () => {
    const r1 = stored(newRevision(set('a'), 1, 0));
    const r2 = stored(newRevision(set('b'), 2, 0));
    const p = planRevisions({ ...set('a'), status: { currentRevision: r2.metadata.name } }, [r2, r1]);
    expect(p.action).toEqual({ kind: 'renumber', revision: r1, to: 3 });
    expect(p.update.metadata.name).toBe(r1.metadata.name);
    expect(p.current).toBe(r2);
  });
});

describe('createRevision', () => {
  it('on a name taken by other data, bumps the collision count and renames', async () => {
    const s = set();
    const candidate = newRevision(s, 1, 0);
    const store = new Map<string, KubeObject>([[candidate.metadata.name!, { ...candidate, data: { other: true } }]]);
    const api = {
      create: async (r: KubeObject) => (store.has(r.metadata.name!) ? undefined : (store.set(r.metadata.name!, r), r)),
      get: async (n: string) => store.get(n),
    };
    const out = await createRevision(s, candidate, 0, api);
    expect(out.collisionCount).toBe(1);
    expect(out.revision.metadata.name).toBe(`web-${hashRevision(candidate.data, 1)}`);
    // The same data already stored under the name is reused, no bump.
    const again = await createRevision(s, candidate, 1, api);
    expect(again).toEqual({ revision: out.revision, collisionCount: 1 });
  });
});

describe('revisionsToPrune', () => {
  const rev = (n: number, image: string) => ({ ...newRevision(set(image), n, 0), metadata: { ...newRevision(set(image), n, 0).metadata, creationTimestamp: '2026-01-01T00:00:00Z' } });
  const revs = [rev(1, 'a'), rev(2, 'b'), rev(3, 'c'), rev(4, 'd'), rev(5, 'e')];
  const pod = (revision: string): KubeObject => ({ metadata: { name: 'web-0', labels: { 'controller-revision-hash': revision } } });

  it('keeps live revisions and the newest limit of the rest, deleting oldest first', () => {
    const out = revisionsToPrune(set(), [pod(revs[0]!.metadata.name!)], revs, [revs[4]!.metadata.name!]);
    expect(out.map((r) => (r as any).revision)).toEqual([2]);
  });

  it('prunes nothing within the limit', () => {
    expect(revisionsToPrune(set('x', { revisionHistoryLimit: 10 }), [], revs, [])).toEqual([]);
  });
});
