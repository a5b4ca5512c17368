import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { planEphemeralClaims } from './plan.ts';

const pod = (extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'demo', uid: 'p1', ...extra },
  spec: {
    volumes: [
      { name: 'cfg', configMap: { name: 'c' } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } },
    ],
  },
});

describe('planEphemeralClaims', () => {
  it('creates the claim from the template, owned by the pod', () => {
    expect(planEphemeralClaims(pod(), () => undefined)).toEqual([
      {
        kind: 'create',
        claim: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'p-scratch', namespace: 'demo', labels: { type: 'scratch' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'p1', controller: true, blockOwnerDeletion: true }] },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      },
    ]);
  });

  it('leaves its own claim alone and reports a stranger', () => {
    const mine: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p-scratch', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'p1', controller: true }] } };
    expect(planEphemeralClaims(pod(), () => mine)).toEqual([]);
    const other: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p-scratch' } };
    expect(planEphemeralClaims(pod(), () => other)).toEqual([{ kind: 'notOwner', message: 'PVC demo/p-scratch was not created for pod demo/p (pod is not owner)' }]);
  });

  it('creates nothing for a pod being deleted', () => {
    expect(planEphemeralClaims(pod({ deletionTimestamp: '2026-01-01T00:00:00Z' }), () => undefined)).toEqual([]);
  });
});
