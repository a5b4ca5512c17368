import { describe, expect, it } from 'vitest';
import { invalid } from '../errors.ts';
import type { ObjectMeta } from '../meta/types.ts';
import { nameIsDNS1035Label, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { checkWireShape } from './wire-shape.ts';

const msg = (kind: string, name: string, meta: ObjectMeta, nameFn = nameIsDNSSubdomain) =>
  invalid(kind, '', name, validateObjectMeta(meta, { nameFn, namespaced: true })).message;

describe('validateObjectMeta', () => {
  it('accepts a plain object', () => {
    expect(validateObjectMeta({ name: 'web', labels: { app: 'web' }, annotations: { 'example.com/x': 'y' } }, { nameFn: nameIsDNSSubdomain })).toEqual([]);
  });

  it.each<[string, ObjectMeta, string]>([
    ['missing name', {}, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required'],
    [
      'bad name',
      { name: 'Web_1' },
      `ConfigMap "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      'bad label value',
      { name: 'x', labels: { app: 'a b' } },
      `ConfigMap "x" is invalid: metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ['bad annotation key', { name: 'x', annotations: { '/x': 'y' } }, 'ConfigMap "x" is invalid: metadata.annotations: Invalid value: "/x": prefix part must be non-empty'],
    [
      'oversized annotations',
      { name: 'x', annotations: { big: 'x'.repeat(256 * 1024) } },
      'ConfigMap "x" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
    ],
    [
      'finalizer that is not a qualified name',
      { name: 'x', finalizers: ['bad finalizer'] },
      `ConfigMap "x" is invalid: metadata.finalizers: Invalid value: "bad finalizer": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  ])('%s', (_, meta, want) => {
    expect(msg('ConfigMap', meta.name ?? '', meta)).toBe(want);
  });

  it('uses the kind name rule: Services are DNS-1035 labels', () => {
    expect(msg('Service', '1web', { name: '1web' }, nameIsDNS1035Label)).toMatch(/^Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label/);
  });

  it('checks two controller references', () => {
    const refs = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'b', uid: '2', controller: true },
    ];
    const errs = validateObjectMeta({ name: 'p', ownerReferences: refs }, { nameFn: nameIsDNSSubdomain });
    expect(errs[0]?.detail).toBe('Only one reference can have Controller set to true. Found "true" in references for StatefulSet/a and DaemonSet/b');
  });
});

describe('validateObjectMetaUpdate', () => {
  it('refuses new finalizers once deletion started', () => {
    const errs = validateObjectMetaUpdate({ name: 'x', finalizers: ['a.io/b'] }, { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z' });
    expect(invalid('Pod', '', 'x', errs).message).toContain(
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/b"}',
    );
  });
  it('keeps uid immutable', () => {
    const errs = validateObjectMetaUpdate({ name: 'x', uid: 'b' }, { name: 'x', uid: 'a' });
    expect(invalid('Pod', '', 'x', errs).message).toBe('Pod "x" is invalid: metadata.uid: Invalid value: "b": field is immutable');
  });
});

describe('checkWireShape', () => {
  it('answers the decode error for a string metadata (seed 004)', () => {
    const body = { apiVersion: 'v1', kind: 'Service', metadata: 'name mysql-h', spec: { ports: [{ port: 3306 }], selector: { app: 'mysql' }, clusterIP: 'None' } };
    const err = checkWireShape(body, 'Service', 'v1');
    expect(err?.code).toBe(400);
    expect(err?.reason).toBe('BadRequest');
    expect(err?.message).toBe(
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field Service.metadata of type v1.ObjectMeta',
    );
  });
  it('checks typed maps', () => {
    const err = checkWireShape({ metadata: { name: 'x' }, spec: { selector: 'app=web' } }, 'Service', 'v1');
    expect(err?.message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServiceSpec.spec.selector of type map[string]string');
    expect(checkWireShape({ metadata: { name: 'x', labels: { a: 1 } } }, 'ConfigMap', 'v1')?.message).toContain('cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });
  it('passes a well-formed body', () => {
    expect(checkWireShape({ metadata: { name: 'web' }, spec: { replicas: 1, selector: {}, template: {} } }, 'StatefulSet', 'apps/v1')).toBeUndefined();
  });
});

describe('finalizer warnings', () => {
  it('warns about unprefixed non-standard finalizers only', async () => {
    const { finalizerWarnings } = await import('./object-meta.ts');
    expect(finalizerWarnings(['custom', 'kubernetes', 'example.com/x', 'customresourcecleanup.apiextensions.k8s.io'])).toEqual([
      'metadata.finalizers: "custom": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
    ]);
  });
});
