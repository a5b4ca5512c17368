import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, groupVersion } from '../resources.ts';
import { loadSchemas } from './index.ts';

describe('loadSchemas', () => {
  it('loads lazily and once (timings are printed, not asserted)', () => {
    let t = performance.now();
    const registry = loadSchemas();
    const load = performance.now() - t;
    expect(loadSchemas()).toBe(registry);
    t = performance.now();
    const gvs = [...new Set(BUILTIN_RESOURCES.map(groupVersion))];
    registry.openapiIndex(gvs);
    const index = performance.now() - t;
    console.log(`schema registry: load ${load.toFixed(1)} ms; first /openapi/v3 index (${gvs.length} documents) ${index.toFixed(1)} ms`);
  });

  it('has a schema for every built-in resource kind', () => {
    const registry = loadSchemas();
    const missing = BUILTIN_RESOURCES.filter((r) => !registry.forKind(r)).map((r) => `${groupVersion(r)} ${r.kind}`);
    expect(missing).toEqual([]);
  });

  it('links the graph: shared named nodes, recursion as cycles', () => {
    const registry = loadSchemas();
    const pod = registry.forKind({ group: '', version: 'v1', kind: 'Pod' })!;
    const podSpec = registry.byName('io.k8s.api.core.v1.PodSpec');
    expect(pod.properties!.spec).toBe(podSpec);
    const template = registry.forKind({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!.properties!.spec!.properties!.template!;
    expect(template.properties!.spec).toBe(podSpec);
    const props = registry.byName('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps')!;
    expect(props.properties!.properties!.additionalProperties).toBe(props);
    expect(props.properties!.items!['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('maps apimachinery special types', () => {
    const registry = loadSchemas();
    expect(registry.byName('io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toMatchObject({ type: 'string', 'x-kubernetes-int-or-string': true });
    expect(registry.byName('io.k8s.apimachinery.pkg.apis.meta.v1.Time')).toMatchObject({ type: 'string', format: 'date-time' });
    expect(registry.byName('io.k8s.apimachinery.pkg.api.resource.Quantity')).toMatchObject({ type: 'string' });
    expect(registry.byName('io.k8s.api.core.v1.Secret')!.properties!.data!.additionalProperties).toMatchObject({ type: 'string', format: 'byte' });
    expect(registry.byName('io.k8s.api.core.v1.PodSpec')!.properties!.activeDeadlineSeconds).toMatchObject({ type: 'integer', format: 'int64' });
  });

  it('refers to PersistentVolumeClaim from volumeClaimTemplates (inlined in the d.ts)', () => {
    const spec = loadSchemas().byName('io.k8s.api.apps.v1.StatefulSetSpec')!;
    expect(spec.properties!.volumeClaimTemplates!.items!.name).toBe('io.k8s.api.core.v1.PersistentVolumeClaim');
  });
});
