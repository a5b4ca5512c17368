import { describe, expect, it } from 'vitest';
import { schemaForCustomResource, type JSONSchemaProps } from './crd.ts';
import { findTypeErrors, findUnknownFields, loadSchemas } from './index.ts';

const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };

const widget: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1 },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        env: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: {} } } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

describe('schemaForCustomResource', () => {
  const node = schemaForCustomResource(widget, gvk);
  const objectMeta = loadSchemas().byName('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');

  it('adds type meta and ObjectMeta at the root and in embedded resources', () => {
    expect(node['x-kubernetes-group-version-kind']).toEqual([gvk]);
    expect(node.properties!.metadata).toBe(objectMeta);
    expect(node.properties!.apiVersion).toEqual({ type: 'string' });
    expect(node.properties!.spec!.properties!.template!.properties!.metadata).toBe(objectMeta);
  });

  it('keeps structural extensions and drops value validations', () => {
    const spec = node.properties!.spec!;
    expect(spec.required).toEqual(['size']);
    expect(spec.properties!.size).toEqual({ type: 'integer' });
    expect(spec.properties!.port).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(spec.properties!.env).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
  });

  it.each<[string, unknown, string[]]>([
    ['valid', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, labels: { a: 'b' }, extra: { x: { y: 1 } } } }, []],
    ['unknown spec field', { spec: { sise: 1 } }, ['spec.sise']],
    ['unknown metadata field', { metadata: { nmae: 'w' } }, ['metadata.nmae']],
    ['embedded resource', { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: {} }, spec: {}, other: 1 } } }, ['spec.template.other']],
    ['list items', { spec: { env: [{ name: 'a', valu: 'b' }] } }, ['spec.env[0].valu']],
  ])('unknown fields: %s', (_n, obj, want) => {
    expect(findUnknownFields(node, obj)).toEqual(want);
  });

  it('finds type errors', () => {
    const errs = findTypeErrors(node, { spec: { size: 'big', port: 'http', tags: 'a' } });
    expect(errs.map((e) => [e.field, e.schemaType, e.received])).toEqual([
      ['spec.size', 'integer', 'string'],
      ['spec.tags', 'array', 'string'],
    ]);
  });

  it('keeps everything when the CRD has no schema', () => {
    const open = schemaForCustomResource(undefined, gvk);
    expect(findUnknownFields(open, { spec: { anything: 1 }, metadata: { bad: 1 } })).toEqual(['metadata.bad']);
  });
});
