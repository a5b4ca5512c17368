// Thousands of malformed requests at handle(): every answer is a Status with the right code (never
// a 500 or a throw), and objects stored before the barrage are untouched afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, startTestCluster, sts, type TestCluster } from './helpers.ts';

let c: TestCluster;
let before: string;
beforeAll(async () => {
  c = await startTestCluster({ controllers: false });
  await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } });
  await c.call('POST', '/api/v1/namespaces/default/configmaps', configMap('keep', { k: 'v' }));
  await c.call('POST', '/apis/apps/v1/namespaces/default/statefulsets', sts('keep'));
  before = await snapshot();
});
afterAll(async () => {
  await c.stop();
});

async function snapshot(): Promise<string> {
  const cm = (await c.call('GET', '/api/v1/namespaces/default/configmaps/keep')).json;
  const st = (await c.call('GET', '/apis/apps/v1/namespaces/default/statefulsets/keep')).json;
  return JSON.stringify([cm, st]);
}

const paths = fc.constantFrom(
  '/api/v1/namespaces/fuzz/configmaps',
  '/api/v1/namespaces/fuzz/configmaps/x',
  '/api/v1/namespaces/fuzz/pods',
  '/api/v1/namespaces/fuzz/pods/p/status',
  '/api/v1/namespaces/fuzz/pods/p/binding',
  '/api/v1/namespaces/fuzz/pods/p/eviction',
  '/api/v1/namespaces/fuzz/services/s',
  '/apis/apps/v1/namespaces/fuzz/statefulsets',
  '/apis/apps/v1/namespaces/fuzz/statefulsets/web',
  '/apis/apps/v1/namespaces/fuzz/statefulsets/web/scale',
  '/apis/apps/v1/namespaces/fuzz/deployments/d/status',
  '/api/v1/namespaces/fuzz',
  '/api/v1/nodes/n1',
  '/apis/storage.k8s.io/v1/storageclasses/fast',
  '/api/v1/namespaces/fuzz/secrets',
  '/apis/nope/v9/things',
  '/api/v1/namespaces//configmaps',
  '/api/v1/namespaces/fuzz/configmaps/%ZZ',
  '/openapi/v3/apis/apps/v1',
);
const queries = fc.constantFrom(
  '',
  '?watch=1&timeoutSeconds=0',
  '?labelSelector=a%20in%20(',
  '?fieldSelector=spec.x%3D1',
  '?limit=-1',
  '?limit=2&continue=garbage',
  '?resourceVersion=abc',
  '?resourceVersionMatch=Exact&resourceVersion=0',
  '?fieldValidation=Loose',
  '?dryRun=Some',
  '?fieldManager=' + 'm'.repeat(200),
  '?gracePeriodSeconds=x',
  '?propagationPolicy=Sideways',
  '?fieldValidation=Strict',
);
const contentTypes = fc.constantFrom(
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
);
const validish = fc.constantFrom<unknown>(
  configMap('x'),
  sts('web'),
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
  { spec: { replicas: 3 } },
  [{ op: 'replace', path: '/spec/replicas', value: 1 }],
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' } },
);
// Valid-looking objects with a random part replaced, plus arbitrary JSON and raw bytes.
const bodies = fc.oneof(
  fc.tuple(validish, fc.jsonValue()).map(([v, junk]) => {
    const copy = structuredClone(v) as Record<string, unknown>;
    if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
      const keys = Object.keys(copy);
      if (keys.length) copy[keys[Math.abs(JSON.stringify(junk ?? null).length) % keys.length]!] = junk as never;
    }
    return Buffer.from(JSON.stringify(copy));
  }),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])),
  fc.constant(Buffer.alloc(0)),
);

describe('fuzzing handle()', () => {
  it('answers every malformed request with a Status and loses nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), paths, queries, contentTypes, bodies, async (method, path, query, ct, body) => {
        const client = new AbortController();
        const res = await c.api.handle({ method, url: path + query, headers: { 'content-type': ct, accept: 'application/json' }, body, signal: client.signal });
        expect(res.status).not.toBe(500);
        if (res.stream) {
          // A watch that started: the client leaves, and the stream must end.
          client.abort();
          for await (const _ of res.stream) void _;
          return;
        }
        if (res.status >= 400) {
          const text = typeof res.body === 'string' ? res.body : Buffer.from(res.body ?? '').toString();
          const s = JSON.parse(text) as { kind: string; code: number; message: string };
          expect(s.kind).toBe('Status');
          expect(s.code).toBe(res.status);
          expect(s.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
    expect(await snapshot()).toBe(before);
    expect((await c.call('GET', '/version')).status).toBe(200);
  }, 120_000);
});
