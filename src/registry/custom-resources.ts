// Custom resources: what a CustomResourceDefinition serves, added to and removed from the
// registry at run time, with each version's schema for field checks, apply and OpenAPI
// (k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go).
import type { GroupVersionKind, KubeObject } from '../api/meta/types.ts';
import type { PrinterColumn, ResourceInfo, SubresourceInfo } from '../api/resources.ts';
import { schemaForCustomResource, type JSONSchemaProps } from '../api/schema/crd.ts';
import type { SchemaNode } from '../api/schema/types.ts';
import type { Registry } from './registry.ts';
import { kindStrategy } from './strategies/base.ts';

export interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; shortNames?: string[]; categories?: string[]; listKind?: string };
  scope: 'Namespaced' | 'Cluster';
  versions: {
    name: string;
    served: boolean;
    storage: boolean;
    schema?: { openAPIV3Schema?: JSONSchemaProps };
    subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
    additionalPrinterColumns?: PrinterColumn[];
  }[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** The resource table entries a CRD serves, one per served version. */
export function resourcesOf(spec: CrdSpec): ResourceInfo[] {
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const subresources: SubresourceInfo[] = [];
      if (v.subresources?.status) subresources.push({ name: 'status', verbs: ['get', 'patch', 'update'] });
      if (v.subresources?.scale) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
      const info: ResourceInfo = {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        resource: spec.names.plural,
        singular: spec.names.singular || spec.names.kind.toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        verbs: ALL_VERBS,
        custom: true,
      };
      if (spec.names.shortNames?.length) info.shortNames = spec.names.shortNames;
      if (spec.names.categories?.length) info.categories = spec.names.categories;
      if (subresources.length) info.subresources = subresources;
      if (v.additionalPrinterColumns?.length) info.printerColumns = v.additionalPrinterColumns;
      return info;
    });
}

export class CustomResources {
  private readonly schemas = new Map<string, SchemaNode>();
  /** CRD name → the group/version/resource triples it serves. */
  private readonly served = new Map<string, ResourceInfo[]>();

  constructor(private readonly registry: Registry) {}

  /** Serves (or re-serves after a change) every served version of the CRD. */
  serve(crd: KubeObject): ResourceInfo[] {
    const name = crd.metadata.name!;
    this.unserve(name);
    const spec = crd.spec as CrdSpec;
    const infos = resourcesOf(spec);
    for (const info of infos) {
      const version = spec.versions.find((v) => v.name === info.version)!;
      const gvk = { group: info.group, version: info.version, kind: info.kind };
      this.schemas.set(gvkKey(gvk), schemaForCustomResource(version.schema?.openAPIV3Schema, gvk));
      const hasStatus = !!version.subresources?.status;
      this.registry.add(info, kindStrategy({ namespaced: info.namespaced, hasStatus }));
    }
    this.served.set(name, infos);
    return infos;
  }

  unserve(crdName: string): void {
    for (const info of this.served.get(crdName) ?? []) {
      this.registry.remove(info.group, info.version, info.resource);
      this.schemas.delete(gvkKey({ group: info.group, version: info.version, kind: info.kind }));
    }
    this.served.delete(crdName);
  }

  servedBy(crdName: string): ResourceInfo[] {
    return this.served.get(crdName) ?? [];
  }

  schemaFor(gvk: GroupVersionKind): SchemaNode | undefined {
    return this.schemas.get(gvkKey(gvk));
  }
}
