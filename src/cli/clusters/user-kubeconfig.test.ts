import { describe, expect, it } from 'vitest';
import { mergeContext, removeContext, userKubeconfigPath, type Kubeconfig } from './user-kubeconfig.ts';

const ours: Kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'k8ts-dev', cluster: { server: 'https://127.0.0.1:7000' } }],
  users: [{ name: 'k8ts-dev', user: { token: 't' } }],
  contexts: [{ name: 'k8ts-dev', context: { cluster: 'k8ts-dev', user: 'k8ts-dev' } }],
  'current-context': 'k8ts-dev',
};
const theirs: Kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  preferences: { colors: true },
  clusters: [{ name: 'prod', cluster: { server: 'https://prod' } }],
  users: [{ name: 'prod', user: { token: 'p' } }],
  contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'prod' } }],
  'current-context': 'prod',
};

describe('merging a context into the user kubeconfig', () => {
  it('adds ours beside theirs, keeps everything else, and makes ours current', () => {
    const m = mergeContext(theirs, ours);
    expect(m.contexts!.map((c) => c.name)).toEqual(['prod', 'k8ts-dev']);
    expect(m.clusters!.map((c) => c.name)).toEqual(['prod', 'k8ts-dev']);
    expect(m['current-context']).toBe('k8ts-dev');
    expect(m.preferences).toEqual({ colors: true });
  });

  it('replaces an older entry of the same name (a new port, a new token)', () => {
    const once = mergeContext(theirs, ours);
    const moved = structuredClone(ours);
    (moved.clusters![0]!.cluster as { server: string }).server = 'https://127.0.0.1:7001';
    const twice = mergeContext(once, moved);
    expect(twice.clusters!.filter((c) => c.name === 'k8ts-dev')).toEqual([{ name: 'k8ts-dev', cluster: { server: 'https://127.0.0.1:7001' } }]);
  });

  it('starts a file that did not exist', () => {
    const m = mergeContext({}, ours);
    expect(m.apiVersion).toBe('v1');
    expect(m.kind).toBe('Config');
    expect(m.contexts).toHaveLength(1);
  });

  it('removes only ours, clearing current-context when it was ours', () => {
    const r = removeContext(mergeContext(theirs, ours), 'k8ts-dev');
    expect(r.contexts!.map((c) => c.name)).toEqual(['prod']);
    expect(r.users!.map((c) => c.name)).toEqual(['prod']);
    expect(r['current-context']).toBe('');
    expect(removeContext(theirs, 'k8ts-dev')['current-context']).toBe('prod');
  });

  it('writes where kubectl would: the first $KUBECONFIG path, else ~/.kube/config', () => {
    expect(userKubeconfigPath({ KUBECONFIG: '/a:/b', HOME: '/h' })).toBe('/a');
    expect(userKubeconfigPath({ KUBECONFIG: '', HOME: '/h' })).toBe('/h/.kube/config');
  });
});
