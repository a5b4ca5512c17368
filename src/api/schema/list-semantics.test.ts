import { describe, expect, it } from 'vitest';
import { loadSchemas, type SchemaNode } from './index.ts';
import { LIST_SEMANTICS, parseSemantics } from './list-semantics.ts';

const registry = loadSchemas();

/** Follows a dotted path from a kind's root; `[]` steps into list items. */
function at(gvk: string, path: string): SchemaNode {
  const [gv, kind] = gvk.split(' ') as [string, string];
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  let node = registry.forKind({ group, version, kind });
  for (const step of path.split('.')) {
    if (!node) break;
    node = step === '[]' ? node.items : node.properties?.[step];
  }
  if (!node) throw new Error(`no schema at ${gvk} ${path}`);
  return node;
}

const pick = (n: SchemaNode) => ({
  strategy: n['x-kubernetes-patch-strategy'],
  key: n['x-kubernetes-patch-merge-key'],
  list: n['x-kubernetes-list-type'],
  keys: n['x-kubernetes-list-map-keys'],
});

describe('upstream merge keys and list types on built-in fields', () => {
  const POD = 'v1 Pod';
  const cases: [string, string, ReturnType<typeof pick>][] = [
    [POD, 'spec.containers', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.initContainers', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.ephemeralContainers', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.volumes', { strategy: 'merge,retainKeys', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.imagePullSecrets', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.hostAliases', { strategy: 'merge', key: 'ip', list: 'map', keys: ['ip'] }],
    [POD, 'spec.resourceClaims', { strategy: 'merge,retainKeys', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.topologySpreadConstraints', { strategy: 'merge', key: 'topologyKey', list: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] }],
    [POD, 'spec.tolerations', { strategy: undefined, key: undefined, list: 'atomic', keys: undefined }],
    [POD, 'spec.containers.[].env', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'spec.containers.[].envFrom', { strategy: undefined, key: undefined, list: 'atomic', keys: undefined }],
    [POD, 'spec.containers.[].ports', { strategy: 'merge', key: 'containerPort', list: 'map', keys: ['containerPort', 'protocol'] }],
    [POD, 'spec.containers.[].volumeMounts', { strategy: 'merge', key: 'mountPath', list: 'map', keys: ['mountPath'] }],
    [POD, 'spec.containers.[].volumeDevices', { strategy: 'merge', key: 'devicePath', list: 'map', keys: ['devicePath'] }],
    [POD, 'spec.ephemeralContainers.[].env', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    [POD, 'status.conditions', { strategy: 'merge', key: 'type', list: 'map', keys: ['type'] }],
    [POD, 'metadata.finalizers', { strategy: 'merge', key: undefined, list: 'set', keys: undefined }],
    [POD, 'metadata.ownerReferences', { strategy: 'merge', key: 'uid', list: 'map', keys: ['uid'] }],
    ['v1 Service', 'spec.ports', { strategy: 'merge', key: 'port', list: 'map', keys: ['port', 'protocol'] }],
    ['v1 ServiceAccount', 'secrets', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    ['apps/v1 StatefulSet', 'status.conditions', { strategy: 'merge', key: 'type', list: 'map', keys: ['type'] }],
    ['apps/v1 StatefulSet', 'spec.volumeClaimTemplates', { strategy: undefined, key: undefined, list: 'atomic', keys: undefined }],
    ['apps/v1 StatefulSet', 'spec.template.spec.containers', { strategy: 'merge', key: 'name', list: 'map', keys: ['name'] }],
    ['apps/v1 Deployment', 'spec.strategy', { strategy: 'retainKeys', key: undefined, list: undefined, keys: undefined }],
    ['rbac.authorization.k8s.io/v1 RoleBinding', 'subjects', { strategy: undefined, key: undefined, list: 'atomic', keys: undefined }],
    ['rbac.authorization.k8s.io/v1 ClusterRole', 'rules', { strategy: undefined, key: undefined, list: 'atomic', keys: undefined }],
    ['batch/v1 Job', 'status.conditions', { strategy: 'merge', key: 'type', list: 'atomic', keys: undefined }],
  ];
  it.each(cases)('%s %s', (gvk, path, want) => {
    expect(pick(at(gvk, path))).toEqual(want);
  });

  it('keeps the named type behind an annotated reference (Deployment spec.strategy)', () => {
    const strategy = at('apps/v1 Deployment', 'spec.strategy');
    expect(strategy.name).toBe('io.k8s.api.apps.v1.DeploymentStrategy');
    expect(strategy.properties).toBe(registry.byName('io.k8s.api.apps.v1.DeploymentStrategy')!.properties);
  });

  it.each([
    ['v1 Pod', 'spec.nodeSelector', 'atomic'],
    ['v1 Pod', 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution', 'atomic'],
    ['apps/v1 StatefulSet', 'spec.selector', 'atomic'],
    ['v1 Service', 'spec.selector', 'atomic'],
  ])('map type of %s %s is %s', (gvk, path, want) => {
    expect(at(gvk, path)['x-kubernetes-map-type']).toBe(want);
  });

  it('defaults the protocol list-map key', () => {
    expect(at('v1 Pod', 'spec.containers.[].ports.[].protocol').default).toBe('TCP');
    expect(at('v1 Service', 'spec.ports.[].protocol').default).toBe('TCP');
  });
});

describe('parseSemantics', () => {
  it.each<[string, object]>([
    ['merge(name) list=map(name)', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }],
    ['merge,retainKeys(name)', { 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name' }],
    ['merge list=set', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' }],
    ['list=map(containerPort,protocol)', { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] }],
    ['map=atomic', { 'x-kubernetes-map-type': 'atomic' }],
    ['default="TCP"', { default: 'TCP' }],
    ['default=0', { default: 0 }],
  ])('%s', (spec, want) => {
    expect(parseSemantics(spec)).toEqual(want);
  });

  it.each(['merg(name)', 'list=mapp(x)', 'map=weird'])('rejects %s', (spec) => {
    expect(() => parseSemantics(spec)).toThrow(/Invalid list semantics token/);
  });
});

describe('the generated schemas carry every table entry (regenerate after editing the table)', () => {
  const entries = Object.entries(LIST_SEMANTICS).flatMap(([pkg, types]) =>
    Object.entries(types).flatMap(([type, fields]) => Object.entries(fields).map(([field, spec]) => [`${pkg}.${type}`, field, spec] as const)),
  );
  it('has entries', () => expect(entries.length).toBeGreaterThan(300));
  it.each(entries)('%s %s', (type, field, spec) => {
    const owner = registry.byName(type);
    const node = field === '' ? owner : owner?.properties?.[field];
    expect(node).toBeDefined();
    expect(node).toMatchObject(parseSemantics(spec));
  });
});
