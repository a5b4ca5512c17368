import { describe, expect, it } from 'vitest';
import { decodeProtobufObject } from './decode.ts';
import { encodeProtobufObject } from './encode.ts';
import { MalformedProtobufError, UnsupportedProtobufKindError } from './errors.ts';
import { WireWriter } from './wire.ts';

const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

/** A body built by hand with upstream's field numbers, independent of our tables. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra?: (w: WireWriter) => void): Uint8Array {
  const typeMeta = new WireWriter().stringField(1, apiVersion).stringField(2, kind).finish();
  const w = new WireWriter().raw(MAGIC).bytesField(1, typeMeta).bytesField(2, raw);
  if (extra) extra(w);
  else w.stringField(3, '').stringField(4, '');
  return w.finish();
}

/** ObjectMeta as Go writes it: every string field, generation 0 and an empty creationTimestamp. */
function goObjectMeta(name: string, namespace: string, labels: Record<string, string>): Uint8Array {
  const w = new WireWriter()
    .stringField(1, name)
    .stringField(2, '')
    .stringField(3, namespace)
    .stringField(4, '')
    .stringField(5, '')
    .stringField(6, '')
    .varintField(7, 0)
    .bytesField(8, new Uint8Array());
  for (const key of Object.keys(labels).sort()) {
    w.bytesField(11, new WireWriter().stringField(1, key).stringField(2, labels[key]!).finish());
  }
  return w.finish();
}

describe('decodeProtobufObject: helm release storage', () => {
  it('decodes a release Secret as helm 4 creates it', () => {
    const release = new Uint8Array(48 * 1024).map((_, i) => (i * 7919) % 251);
    const labels = { createdAt: '1735689600', name: 'web', owner: 'helm', status: 'pending-install', version: '1' };
    const secret = new WireWriter()
      .bytesField(1, goObjectMeta('sh.helm.release.v1.web.v1', 'default', labels))
      .bytesField(2, new WireWriter().stringField(1, 'release').bytesField(2, release).finish())
      .stringField(3, 'helm.sh/release.v1')
      .finish();
    expect(decodeProtobufObject(envelope('v1', 'Secret', secret))).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'sh.helm.release.v1.web.v1', namespace: 'default', labels },
      data: { release: Buffer.from(release).toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });

  it('decodes DeleteOptions with only propagationPolicy set', () => {
    const opts = new WireWriter().stringField(4, 'Background').finish();
    expect(decodeProtobufObject(envelope('v1', 'DeleteOptions', opts))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
    });
  });

  it('keeps zero-valued pointer fields of DeleteOptions and accepts any group version', () => {
    const preconditions = new WireWriter().stringField(1, 'uid-1').stringField(2, '42').finish();
    const opts = new WireWriter()
      .varintField(1, 0)
      .bytesField(2, preconditions)
      .varintField(3, 0)
      .stringField(5, 'All')
      .finish();
    expect(decodeProtobufObject(envelope('apps/v1', 'DeleteOptions', opts))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'apps/v1',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1', resourceVersion: '42' },
      orphanDependents: false,
      dryRun: ['All'],
    });
  });

  it('keeps empty values inside maps and an empty-string type field is dropped', () => {
    const secret = new WireWriter()
      .bytesField(1, goObjectMeta('s', 'default', {}))
      .bytesField(2, new WireWriter().stringField(1, 'empty').bytesField(2, new Uint8Array()).finish())
      .bytesField(4, new WireWriter().stringField(1, 'k').stringField(2, '').finish())
      .stringField(3, '')
      .varintField(5, 1)
      .finish();
    expect(decodeProtobufObject(envelope('v1', 'Secret', secret))).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's', namespace: 'default' },
      data: { empty: '' },
      stringData: { k: '' },
      immutable: true,
    });
  });
});

describe('decodeProtobufObject: Go quirks', () => {
  const meta = (time: Uint8Array) => new WireWriter().stringField(1, 'n').bytesField(8, time).finish();
  const cm = (time: Uint8Array) => new WireWriter().bytesField(1, meta(time)).finish();

  it.each([
    ['an empty Time message', new Uint8Array(), undefined],
    ['Go zero time (year 1)', new WireWriter().varintField(1, -62135596800n).finish(), undefined],
    ['a real time, nanos dropped', new WireWriter().varintField(1, 1714557600).varintField(2, 123).finish(), '2024-05-01T10:00:00Z'],
    ['the Unix epoch', new WireWriter().varintField(1, 0).varintField(2, 0).finish(), '1970-01-01T00:00:00Z'],
  ])('creationTimestamp from %s', (_, time, expected) => {
    const obj = decodeProtobufObject(envelope('v1', 'ConfigMap', cm(time)));
    expect((obj.metadata as Record<string, unknown>).creationTimestamp).toBe(expected);
  });

  it('renders MicroTime with microseconds', () => {
    const t = new WireWriter().varintField(1, 1714557600).varintField(2, 123456789).finish();
    const spec = new WireWriter().stringField(1, 'node-1').varintField(2, 40).bytesField(4, t).finish();
    const lease = new WireWriter().bytesField(1, meta(new Uint8Array())).bytesField(2, spec).finish();
    expect(decodeProtobufObject(envelope('coordination.k8s.io/v1', 'Lease', lease))).toEqual({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'n' },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.123456Z' },
    });
  });

  it('decodes negative int32 varints (10-byte sign extension)', () => {
    const pc = new WireWriter().bytesField(1, meta(new Uint8Array())).varintField(2, -5).finish();
    expect(decodeProtobufObject(envelope('scheduling.k8s.io/v1', 'PriorityClass', pc)).value).toBe(-5);
  });

  it('merges a repeated occurrence of a singular message, last scalar wins', () => {
    const obj = new WireWriter()
      .bytesField(1, new WireWriter().stringField(1, 'first').stringField(3, 'ns').finish())
      .bytesField(1, new WireWriter().stringField(1, 'second').finish())
      .finish();
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', obj)).metadata).toEqual({ name: 'second', namespace: 'ns' });
  });

  it('accepts packed and unpacked repeated varints', () => {
    const rule = (values: WireWriter) => new WireWriter().stringField(1, 'FailJob').bytesField(2, values.finish());
    const unpacked = new WireWriter().stringField(2, 'In').varintField(3, 1).varintField(3, 42);
    const packedList = new WireWriter().varint(1).varint(42).finish();
    const packed = new WireWriter().stringField(2, 'In').bytesField(3, packedList);
    for (const values of [unpacked, packed]) {
      const policy = new WireWriter().bytesField(1, rule(values).finish()).finish();
      const spec = new WireWriter().bytesField(11, policy).finish();
      const job = new WireWriter().bytesField(2, spec).finish();
      const decoded = decodeProtobufObject(envelope('batch/v1', 'Job', job));
      expect(decoded.spec).toEqual({
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 42] } }] },
      });
    }
  });

  it('skips fields it has no definition for', () => {
    const cmBody = new WireWriter()
      .bytesField(1, meta(new Uint8Array()))
      .varintField(90, 7)
      .bytesField(91, new Uint8Array([1, 2, 3]))
      .key(92, 5)
      .raw(new Uint8Array(4))
      .key(93, 1)
      .raw(new Uint8Array(8))
      .finish();
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', cmBody))).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'n' } });
  });

  it('takes the kind from the caller when the envelope has none', () => {
    const body = new WireWriter().raw(MAGIC).bytesField(2, new WireWriter().stringField(4, 'Foreground').finish()).finish();
    expect(decodeProtobufObject(body, { defaultApiVersion: 'v1', defaultKind: 'DeleteOptions' })).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Foreground',
    });
  });
});

describe('decodeProtobufObject: errors', () => {
  const cases: [string, Uint8Array, typeof MalformedProtobufError | typeof UnsupportedProtobufKindError, RegExp][] = [
    ['no magic', new TextEncoder().encode('{"kind":"Secret"}'), MalformedProtobufError, /k8s\\x00/],
    ['empty body', new Uint8Array(), MalformedProtobufError, /prefix/],
    ['no kind', new Uint8Array([...MAGIC]), MalformedProtobufError, /names no kind/],
    ['unknown kind', envelope('example.com/v1', 'Widget', new Uint8Array()), UnsupportedProtobufKindError, /kind "Widget" \(apiVersion "example.com\/v1"\)/],
    ['known kind, unserved version', envelope('apps/v1beta1', 'Deployment', new Uint8Array()), UnsupportedProtobufKindError, /Deployment/],
    ['truncated length', new Uint8Array([...MAGIC, 0x0a, 0x20, 0x01]), MalformedProtobufError, /claims 32 bytes/],
    ['truncated varint', new Uint8Array([...MAGIC, 0x28, 0xff]), MalformedProtobufError, /truncated varint/],
    ['overlong varint', new Uint8Array([...MAGIC, 0x28, ...new Array(11).fill(0xff), 0x01]), MalformedProtobufError, /longer than 10 bytes/],
    ['field number 0', new Uint8Array([...MAGIC, 0x00, 0x00]), MalformedProtobufError, /field number 0/],
    ['group wire type', new Uint8Array([...MAGIC, 0x0b]), MalformedProtobufError, /wire type 3/],
    ['wrong wire type', envelope('v1', 'Secret', new Uint8Array([0x18, 0x01])), MalformedProtobufError, /wire type 0 .*\(in Secret at type\)/],
    ['bad nested bytes', envelope('v1', 'Secret', new Uint8Array([0x0a, 0x02, 0x0a, 0x05])), MalformedProtobufError, /in Secret at metadata.name/],
    ['gzip content encoding', envelope('v1', 'Secret', new Uint8Array(), (w) => w.stringField(3, 'gzip')), UnsupportedProtobufKindError, /gzip/],
    ['foreign content type', envelope('v1', 'Secret', new Uint8Array(), (w) => w.stringField(4, 'application/cbor')), UnsupportedProtobufKindError, /cbor/],
  ];
  it.each(cases)('%s', (_, body, type, message) => {
    let caught: unknown;
    try {
      decodeProtobufObject(body);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(message);
  });

  it('maps to Status codes 400 and 415', () => {
    expect(new MalformedProtobufError('x').toStatus()).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(new UnsupportedProtobufKindError('v1', 'Foo').toStatus()).toMatchObject({ code: 415, reason: 'UnsupportedMediaType', details: { kind: 'Foo' } });
  });

  it('refuses a time outside RFC 3339 years', () => {
    const t = new WireWriter().varintField(1, 1n << 40n).finish();
    const cm = new WireWriter().bytesField(1, new WireWriter().bytesField(8, t).finish()).finish();
    expect(() => decodeProtobufObject(envelope('v1', 'ConfigMap', cm))).toThrow(MalformedProtobufError);
  });

  it('round-trips a body through the encoder used by the other tests', () => {
    const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { k: 'dmFsdWU=' } };
    expect(decodeProtobufObject(encodeProtobufObject(obj))).toEqual(obj);
  });
});
