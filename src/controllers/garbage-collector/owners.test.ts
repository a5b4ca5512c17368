import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { ownerMayFinish, planDependent, type OwnerState } from './owners.ts';

const dep = (refs: { uid: string; block?: boolean }[], deleting = false): KubeObject => ({
  metadata: {
    name: 'd',
    ownerReferences: refs.map((r) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: r.uid, uid: r.uid, blockOwnerDeletion: r.block })),
    ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('planDependent', () => {
  const cases: { name: string; dep: KubeObject; states: [string, OwnerState][]; want: unknown }[] = [
    { name: 'no owners', dep: dep([]), states: [], want: { type: 'none' } },
    { name: 'owner present', dep: dep([{ uid: 'a' }]), states: [['a', 'present']], want: { type: 'none' } },
    { name: 'owner gone', dep: dep([{ uid: 'a' }]), states: [['a', 'absent']], want: { type: 'delete', propagation: 'Background' } },
    { name: 'one of two gone', dep: dep([{ uid: 'a' }, { uid: 'b' }]), states: [['a', 'absent'], ['b', 'present']], want: { type: 'removeRefs', uids: ['a'] } },
    { name: 'owner deleting in foreground', dep: dep([{ uid: 'a' }]), states: [['a', 'deletingForeground']], want: { type: 'delete', propagation: 'Foreground' } },
    { name: 'foreground owner plus present owner keeps it', dep: dep([{ uid: 'a' }, { uid: 'b' }]), states: [['a', 'deletingForeground'], ['b', 'present']], want: { type: 'none' } },
    { name: 'already being deleted', dep: dep([{ uid: 'a' }], true), states: [['a', 'absent']], want: { type: 'none' } },
  ];
  it.each(cases)('$name', ({ dep: d, states, want }) => {
    expect(planDependent(d, new Map(states))).toEqual(want);
  });
});

describe('ownerMayFinish', () => {
  it('waits for blocking dependents only', () => {
    expect(ownerMayFinish([dep([{ uid: 'a', block: true }])], 'a')).toBe(false);
    expect(ownerMayFinish([dep([{ uid: 'a', block: false }])], 'a')).toBe(true);
    expect(ownerMayFinish([dep([{ uid: 'b', block: true }])], 'a')).toBe(true);
    expect(ownerMayFinish([], 'a')).toBe(true);
  });
});
