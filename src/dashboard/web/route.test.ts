import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route.ts';

describe('routes', () => {
  it.each([
    ['', { section: 'statefulsets', namespace: 'default' }],
    ['#/daemonsets/kube-system', { section: 'daemonsets', namespace: 'kube-system' }],
    ['#/statefulsets/default/web', { section: 'statefulsets', namespace: 'default', name: 'web' }],
    ['#/nodes/_all', { section: 'nodes', namespace: '' }],
    ['#/nonsense/x', { section: 'statefulsets', namespace: 'x' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips through the hash', () => {
    for (const r of [{ section: 'services', namespace: '' }, { section: 'statefulsets', namespace: 'demo', name: 'web' }] as const) {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }
  });
});
