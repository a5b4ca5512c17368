import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';
import { PodsByClaim } from './pods-by-claim.ts';

function fakeInformer() {
  const handlers: InformerHandlers[] = [];
  const informer = { addHandlers: (h: InformerHandlers) => handlers.push(h) } as unknown as Informer;
  return { informer, add: (o: KubeObject) => handlers.forEach((h) => h.add?.(o)), update: (o: KubeObject, n: KubeObject) => handlers.forEach((h) => h.update?.(o, n)), del: (o: KubeObject) => handlers.forEach((h) => h.delete?.(o)) };
}

const pod = (name: string, claims: string[], ns = 'ns', node?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { ...(node ? { nodeName: node } : {}), volumes: [...claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })), { name: 'eph', ephemeral: {} }] },
});

describe('PodsByClaim', () => {
  it('finds the pods naming a claim, in the order first seen, following changes', () => {
    const f = fakeInformer();
    const idx = new PodsByClaim(f.informer);
    f.add(pod('a', ['c1']));
    f.add(pod('b', ['c1', 'c2']));
    f.add(pod('x', ['c1'], 'other'));
    expect(idx.of('ns', 'c1').map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(idx.of('ns', 'b-eph').map((p) => p.metadata.name)).toEqual(['b']);
    f.update(pod('a', ['c1']), pod('a', ['c1'], 'ns', 'node-1'));
    expect(idx.of('ns', 'c1').map((p) => (p.spec as { nodeName?: string }).nodeName)).toEqual(['node-1', undefined]);
    f.del(pod('b', ['c1', 'c2']));
    expect(idx.of('ns', 'c1').map((p) => p.metadata.name)).toEqual(['a']);
    expect(idx.of('ns', 'c2')).toEqual([]);
    expect(idx.of('other', 'c1').map((p) => p.metadata.name)).toEqual(['x']);
  });
});
