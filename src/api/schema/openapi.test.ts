import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, groupVersion, type ResourceInfo } from '../resources.ts';
import { loadSchemas, schemaForCustomResource } from './index.ts';

type Obj = Record<string, any>;

const registry = loadSchemas();
const servedGVs = [...new Set(BUILTIN_RESOURCES.map(groupVersion))];
const doc = (gv: string) => registry.openapiDocument(gv, BUILTIN_RESOURCES) as Obj;

function itemPath(info: ResourceInfo): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return info.namespaced ? `${root}/namespaces/{namespace}/${info.resource}/{name}` : `${root}/${info.resource}/{name}`;
}

function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('openapiIndex', () => {
  const index = registry.openapiIndex(servedGVs);

  it('lists every served group-version under upstream keys', () => {
    const want = servedGVs.map((gv) => (gv === 'v1' ? 'api/v1' : `apis/${gv}`)).sort();
    expect(Object.keys(index.paths).sort()).toEqual(want);
  });

  it.each(servedGVs)('%s URL carries the document hash', (gv) => {
    const key = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
    const { body, hash } = registry.openapiDocumentBody(gv, BUILTIN_RESOURCES);
    expect(index.paths[key]!.serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${hash}`);
    expect(hash).toBe(createHash('sha512').update(body).digest('hex').toUpperCase());
  });

  it('keeps hashes stable and changes them with the document', () => {
    const again = registry.openapiIndex(servedGVs);
    expect(again).toEqual(index);
    const fewer = registry.openapiIndex(['apps/v1'], { resources: BUILTIN_RESOURCES.filter((r) => r.kind !== 'DaemonSet') });
    expect(fewer.paths['apis/apps/v1']!.serverRelativeURL).not.toBe(index.paths['apis/apps/v1']!.serverRelativeURL);
  });
});

describe('openapiDocument', () => {
  const patchable = BUILTIN_RESOURCES.filter((r) => r.verbs.includes('patch'));

  it.each(patchable.map((r) => [`${groupVersion(r)} ${r.kind}`, r] as const))('%s: patch operation for kubectl', (_n, info) => {
    const op = doc(groupVersion(info)).paths[itemPath(info)]?.patch as Obj;
    expect(op['x-kubernetes-group-version-kind']).toEqual({ group: info.group, version: info.version, kind: info.kind });
    const params = (op.parameters as Obj[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']));
    expect(Object.keys(op.requestBody.content).sort()).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
  });

  it('has get, put, patch and delete on the item path, with path parameters', () => {
    const item = doc('apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'] as Obj;
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'parameters', 'patch', 'put']);
    expect(item.parameters.map((p: Obj) => `${p.in}:${p.name}`)).toEqual(['path:name', 'path:namespace', 'query:pretty']);
    expect(item.patch.operationId).toBe('patchAppsV1NamespacedStatefulSet');
    expect(item.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.StatefulSet' });
  });

  it('serves core paths under /api/v1, cluster-scoped without a namespace', () => {
    const paths = doc('v1').paths as Obj;
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(paths['/api/v1/nodes/{name}'].patch.operationId).toBe('patchCoreV1Node');
    expect(paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch['x-kubernetes-group-version-kind'].kind).toBe('Pod');
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']).toBeUndefined();
  });

  it('gives the scale subresource the autoscaling/v1 Scale kind', () => {
    const scale = doc('apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale'] as Obj;
    expect(scale.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(doc('apps/v1').components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
  });

  it.each(servedGVs)('%s: every $ref resolves inside the document', (gv) => {
    const d = doc(gv);
    const names = new Set(Object.keys(d.components.schemas).map((n) => `#/components/schemas/${n}`));
    const missing = [...refsIn(d)].filter((r) => !names.has(r));
    expect(missing).toEqual([]);
  });

  it('describes kinds for kubectl explain', () => {
    const schemas = doc('apps/v1').components.schemas as Obj;
    const set = schemas['io.k8s.api.apps.v1.StatefulSet'];
    expect(set['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'StatefulSet' }]);
    expect(set.description).toMatch(/StatefulSet represents/);
    const strategy = schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties.updateStrategy;
    expect(strategy.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.apps.v1.StatefulSetUpdateStrategy' }]);
    expect(strategy.description).toMatch(/updateStrategy indicates/);
    const type = schemas['io.k8s.api.apps.v1.StatefulSetUpdateStrategy'].properties.type;
    expect(type).toMatchObject({ type: 'string', enum: ['OnDelete', 'RollingUpdate'] });
    expect(schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties.replicas).toMatchObject({ type: 'integer', format: 'int32' });
  });

  it('carries merge keys on list properties', () => {
    const podSpec = doc('v1').components.schemas['io.k8s.api.core.v1.PodSpec'];
    expect(podSpec.properties.containers).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
  });

  it('only includes schemas the group-version reaches', () => {
    const names = Object.keys(doc('coordination.k8s.io/v1').components.schemas);
    expect(names).toContain('io.k8s.api.coordination.v1.Lease');
    expect(names).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(names.some((n) => n.startsWith('io.k8s.api.core.v1.'))).toBe(false);
  });

  it('leaves out resources whose kind has no schema', () => {
    const custom: ResourceInfo = { group: 'example.com', version: 'v1', kind: 'Foo', resource: 'foos', singular: 'foo', namespaced: true, verbs: ['get', 'patch'] };
    expect(Object.keys((registry.openapiDocument('example.com/v1', [custom]) as Obj).paths)).toEqual([]);
  });
});

describe('custom resources', () => {
  const widgets: ResourceInfo = {
    group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  };
  const customSchema = (gvk: { kind: string }) =>
    gvk.kind === 'Widget'
      ? schemaForCustomResource({ type: 'object', description: 'A widget.', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } }, { group: 'example.com', version: 'v1', kind: 'Widget' })
      : undefined;
  const d = registry.openapiDocument('example.com/v1', [widgets], { customSchema }) as Obj;

  it('serves paths with GVK and fieldValidation, without strategic merge patch', () => {
    const patch = d.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'example.com', version: 'v1', kind: 'Widget' });
    expect(patch.parameters.map((p: Obj) => p.name)).toContain('fieldValidation');
    expect(Object.keys(patch.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
    expect(d.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status'].patch).toBeDefined();
  });

  it('names components as upstream publishes CRDs and links ObjectMeta', () => {
    const widget = d.components.schemas['com.example.v1.Widget'];
    expect(widget['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    expect(widget.properties.metadata).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    expect(d.components.schemas['com.example.v1.WidgetList'].properties.items.items).toEqual({ $ref: '#/components/schemas/com.example.v1.Widget' });
    const names = new Set(Object.keys(d.components.schemas).map((n) => `#/components/schemas/${n}`));
    expect([...refsIn(d)].filter((r) => !names.has(r))).toEqual([]);
  });

  it('changes the hash when the custom schema changes', () => {
    const a = registry.openapiDocumentBody('example.com/v1', [widgets], { customSchema }).hash;
    const b = registry.openapiDocumentBody('example.com/v1', [widgets], {
      customSchema: () => schemaForCustomResource({ type: 'object' }, { group: 'example.com', version: 'v1', kind: 'Widget' }),
    }).hash;
    expect(a).not.toBe(b);
  });
});
