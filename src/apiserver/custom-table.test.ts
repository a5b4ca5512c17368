import { describe, expect, it } from 'vitest';
import type { ResourceInfo } from '../api/resources.ts';
import { customTable, evalJsonPath } from './custom-table.ts';

describe('evalJsonPath', () => {
  const obj = { spec: { size: 3, list: [{ name: 'a' }] }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
  it.each([
    ['.spec.size', 3],
    ['.spec.list[0].name', 'a'],
    [".metadata.labels['app.kubernetes.io/name']", 'x'],
    ['.spec.missing.deeper', undefined],
    ['.spec.list[5].name', undefined],
  ])('%s', (path, want) => {
    expect(evalJsonPath(obj, path)).toEqual(want);
  });
});

describe('customTable', () => {
  const info: ResourceInfo = {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    resource: 'widgets',
    singular: 'widget',
    namespaced: true,
    verbs: [],
    custom: true,
    printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
  };
  it('prints the printer columns then Age', () => {
    const t = customTable(info, [{ metadata: { name: 'w', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { size: 2 } }], { now: new Date('2026-01-01T00:05:00Z') });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Size', 'Age']);
    expect(t.rows[0]!.cells).toEqual(['w', 2, '5m']);
  });
});
