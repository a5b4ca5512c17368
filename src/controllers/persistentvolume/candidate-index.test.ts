import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';
import { CandidateIndex } from './candidate-index.ts';

function fakeInformer() {
  const handlers: InformerHandlers[] = [];
  const informer = { addHandlers: (h: InformerHandlers) => handlers.push(h) } as unknown as Informer;
  return { informer, add: (o: KubeObject) => handlers.forEach((h) => h.add?.(o)), update: (o: KubeObject, n: KubeObject) => handlers.forEach((h) => h.update?.(o, n)), del: (o: KubeObject) => handlers.forEach((h) => h.delete?.(o)) };
}

const pv = (name: string, claim?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: claim ? { claimRef: { namespace: claim.split('/')[0], name: claim.split('/')[1] } } : {},
});

describe('CandidateIndex', () => {
  it('offers unclaimed volumes and those held for the claim, following changes', () => {
    const f = fakeInformer();
    const idx = new CandidateIndex(f.informer);
    f.add(pv('free'));
    f.add(pv('mine', 'ns/a'));
    f.add(pv('theirs', 'ns/b'));
    expect(idx.candidates('ns', 'a').sort()).toEqual(['free', 'mine']);
    expect(idx.candidates('ns', 'b').sort()).toEqual(['free', 'theirs']);
    f.update(pv('free'), pv('free', 'ns/b'));
    expect(idx.candidates('ns', 'a')).toEqual(['mine']);
    f.update(pv('theirs', 'ns/b'), pv('theirs'));
    expect(idx.candidates('ns', 'a').sort()).toEqual(['mine', 'theirs']);
    f.del(pv('mine', 'ns/a'));
    expect(idx.candidates('ns', 'a')).toEqual(['theirs']);
    expect(idx.candidates('ns', 'b').sort()).toEqual(['free', 'theirs']);
  });

  it("lists candidates in the informer's order, whatever order they became free in", () => {
    const f = fakeInformer();
    const idx = new CandidateIndex(f.informer);
    f.add(pv('a', 'ns/x'));
    f.add(pv('b'));
    f.add(pv('c'));
    f.update(pv('a', 'ns/x'), pv('a'));
    expect(idx.candidates('ns', 'y')).toEqual(['a', 'b', 'c']);
    f.del(pv('a'));
    f.add(pv('a'));
    expect(idx.candidates('ns', 'y')).toEqual(['b', 'c', 'a']);
  });
});
