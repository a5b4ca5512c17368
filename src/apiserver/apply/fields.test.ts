import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../api/meta/types.ts';
import { FieldSet } from './fields.ts';
import { statefulSetSchema, webManifest } from './fixtures.ts';
import { type Path, keyElement, pathToString, serializePathElement } from './path-element.ts';
import { toFieldSet } from './typed.ts';

const f = (field: string) => ({ field });
const roundTrip = (json: string): string => JSON.stringify(FieldSet.fromFieldsV1(JSON.parse(json) as JsonObject).toFieldsV1());

// What a cluster stores for `kubectl apply --server-side` of the web StatefulSet (manager kubectl).
const KUBECTL_SSA_STS =
  '{"f:spec":{"f:replicas":{},"f:selector":{},"f:serviceName":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},' +
  '"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{' +
  '"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:name":{}}}}}}}}}';

describe('FieldsV1', () => {
  it.each([
    ['an apply entry of a StatefulSet', KUBECTL_SSA_STS],
    [
      'an update entry with map and list members',
      '{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:finalizers":{".":{},"v:\\"a\\"":{}}},"f:spec":{"f:replicas":{}}}',
    ],
    // Upstream golden data (structured-merge-diff fieldpath/serialize_test.go).
    [
      'every element type, in canonical order',
      '{"f:aaa":{},"f:aab":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{}}',
    ],
    [
      'non-ASCII keys',
      '{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{}},"f:name":{}}}}}',
    ],
  ])('round-trips %s byte for byte', (_name, json) => {
    expect(roundTrip(json)).toBe(json);
  });

  it('normalises key order, key field order and spacing', () => {
    const messy = '{"v: 3":{},"k:{ \\"protocol\\":\\"udp\\",\\"port\\":443}":{},"i:1":{},"f:b":{},"f:a":{}}';
    expect(roundTrip(messy)).toBe('{"f:a":{},"f:b":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:3":{},"i:1":{}}');
  });

  it('drops keys of unknown element types and rejects malformed ones', () => {
    expect(roundTrip('{"f:a":{},"x:future":{}}')).toBe('{"f:a":{}}');
    expect(() => FieldSet.fromFieldsV1({ 'k:{oops': {} })).toThrow(/parsing key as path element/);
    expect(() => FieldSet.fromFieldsV1({ f: {} })).toThrow();
  });

  it('marks a path that is both owned and a parent with "."', () => {
    const item = keyElement({ name: 'nginx' });
    const s = FieldSet.of([f('spec'), item], [f('spec'), item, f('image')]);
    expect(s.toFieldsV1()).toEqual({ 'f:spec': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {} } } });
  });

  it('escapes key values as Go does', () => {
    expect(serializePathElement(keyElement({ name: 'a<b>&c' }))).toBe('k:{"name":"a\\u003cb\\u003e\\u0026c"}');
    expect(serializePathElement({ value: 1.5 })).toBe('v:1.5');
  });
});

describe('paths', () => {
  it('print as in conflict messages', () => {
    const p: Path = [f('spec'), f('template'), f('spec'), f('containers'), keyElement({ name: 'nginx' }), f('ports'), keyElement({ protocol: 'TCP', containerPort: 80 })];
    expect(pathToString(p)).toBe('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]');
    expect(pathToString([f('metadata'), f('finalizers'), { value: 'x' }])).toBe('.metadata.finalizers[="x"]');
    expect(pathToString([f('args'), { index: 2 }])).toBe('.args[2]');
  });
});

describe('set algebra', () => {
  const a = FieldSet.of([f('a')], [f('a'), f('b')], [f('c')]);
  const b = FieldSet.of([f('a')], [f('d')]);

  it.each([
    ['union', a.union(b), ['.a', '.c', '.d', '.a.b']],
    ['intersection', a.intersection(b), ['.a']],
    ['difference keeps children of a removed member', a.difference(b), ['.c', '.a.b']],
    ['recursive difference removes them', a.recursiveDifference(b), ['.c']],
    ['leaves', a.leaves(), ['.c', '.a.b']],
  ])('%s', (_name, set, paths) => {
    expect(set.paths().map(pathToString)).toEqual(paths);
  });

  it('has, withPrefix and isEmpty', () => {
    expect(a.has([f('a'), f('b')])).toBe(true);
    expect(a.has([f('b')])).toBe(false);
    expect(a.withPrefix(f('a')).paths().map(pathToString)).toEqual(['.b']);
    expect(a.difference(a).isEmpty()).toBe(true);
  });
});

describe('toFieldSet', () => {
  it('is what a cluster records for an applied StatefulSet', () => {
    const set = toFieldSet(webManifest() as unknown as JsonValue, statefulSetSchema);
    // apiVersion, kind and metadata.name are in the set; the field manager strips them later.
    expect(JSON.stringify(set.toFieldsV1())).toBe(
      KUBECTL_SSA_STS.replace('{"f:spec"', '{"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:name":{}},"f:spec"'),
    );
  });

  it('owns set items, empty structs and, without a schema, every map key', () => {
    const obj = { metadata: { finalizers: ['b', 'a'] }, spec: { template: { spec: {} } } };
    expect(toFieldSet(obj, statefulSetSchema).toFieldsV1()).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
      'f:spec': { 'f:template': { 'f:spec': {} } },
    });
    expect(toFieldSet({ spec: { a: 1, b: [1, 2] } }, undefined).toFieldsV1()).toEqual({
      'f:spec': { '.': {}, 'f:a': {}, 'f:b': {} },
    });
  });
});
