import { describe, expect, it } from 'vitest';
import { decode, encode, rawWithVersion } from './codec.ts';

const kv = (value: string, modRevision = 7) => ({ key: '/k', value, createRevision: 1, modRevision });

describe('codec', () => {
  it('stores apiVersion, kind and metadata first, without resourceVersion', () => {
    const text = encode({ spec: { a: 1 }, metadata: { name: 'x', resourceVersion: '5' }, kind: 'ConfigMap', apiVersion: 'v1' });
    expect(text).toBe('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"spec":{"a":1}}');
  });

  it('splices the resourceVersion in so the text equals the decoded object', () => {
    const stored = encode({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', labels: { a: 'b' } }, spec: { template: { metadata: { name: 'inner' } } } });
    const raw = rawWithVersion(kv(stored), 'apps/v1', 'StatefulSet')!;
    expect(JSON.parse(raw)).toEqual(decode(kv(stored), 'apps/v1'));
    expect(JSON.parse(raw).spec.template.metadata).toEqual({ name: 'inner' });
  });

  it('handles empty metadata', () => {
    const raw = rawWithVersion(kv('{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}'), 'v1', 'ConfigMap')!;
    expect(JSON.parse(raw).metadata).toEqual({ resourceVersion: '7' });
  });

  it('declines values of another layout or served version', () => {
    expect(rawWithVersion(kv('{"metadata":{"name":"x"},"apiVersion":"v1","kind":"ConfigMap"}'), 'v1', 'ConfigMap')).toBeUndefined();
    expect(rawWithVersion(kv('{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{}}'), 'autoscaling/v1', 'HorizontalPodAutoscaler')).toBeUndefined();
  });
});
