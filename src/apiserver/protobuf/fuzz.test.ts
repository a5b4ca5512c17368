import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProtobufObject } from './decode.ts';
import { encodeProtobufObject } from './encode.ts';
import { MalformedProtobufError, UnsupportedProtobufKindError } from './errors.ts';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decoding hostile bytes either succeeds with JSON-serialisable output or throws a typed error. */
function decodesSafely(bytes: Uint8Array): void {
  try {
    const obj = decodeProtobufObject(bytes);
    expect(typeof JSON.stringify(obj)).toBe('string');
  } catch (e) {
    if (!(e instanceof MalformedProtobufError || e instanceof UnsupportedProtobufKindError)) throw e;
  }
}

const seeds = [
  encodeProtobufObject({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } } }], volumes: [{ name: 'v', emptyDir: {} }] } } },
  }),
  encodeProtobufObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'AAECAwQ=' }, type: 'Opaque' }),
  encodeProtobufObject({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', gracePeriodSeconds: 0 }),
  encodeProtobufObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { renewTime: '2024-01-01T00:00:00.000001Z' } }),
];

describe('decoding hostile input', () => {
  it('random bytes after the magic', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => decodesSafely(new Uint8Array([...MAGIC, ...b]))), { numRuns: 2000 });
  });

  it('valid bodies with bytes overwritten, inserted or cut', () => {
    const mutation = fc.record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        const bytes = [...seeds[seed]!];
        for (const [at, value, op] of edits) {
          const i = 4 + (at % Math.max(1, bytes.length - 4));
          if (op === 'set') bytes[i] = value;
          else if (op === 'insert') bytes.splice(i, 0, value);
          else bytes.length = i;
        }
        decodesSafely(new Uint8Array(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('a huge declared length is refused without allocating it', () => {
    const body = new Uint8Array([...MAGIC, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => decodeProtobufObject(body)).toThrow(/claims 4294967295 bytes/);
  });
});
