// Discovery documents: legacy (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) and aggregated
// (apidiscovery.k8s.io/v2, chosen by the Accept header and signalled by the response
// Content-Type), from the one resource table. Group versions are listed in preference order.
import type { ResourceInfo } from '../api/resources.ts';

export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /as=APIGroupDiscoveryList/.test(accept) && /g=apidiscovery\.k8s\.io/.test(accept) && /v=v2(?![a-z0-9])/.test(accept);
}

// Preferred version first, as upstream orders autoscaling (v2 before v1).
const VERSION_ORDER = ['v2', 'v1', 'v1beta1'];

export interface GroupVersions {
  group: string;
  versions: string[];
}

export function groupsOf(resources: ResourceInfo[]): GroupVersions[] {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (!groups.has(r.group)) groups.set(r.group, new Set());
    groups.get(r.group)!.add(r.version);
  }
  return [...groups.entries()].map(([group, versions]) => ({
    group,
    versions: [...versions].sort((a, b) => rank(a) - rank(b)),
  }));
}

function rank(v: string): number {
  const i = VERSION_ORDER.indexOf(v);
  return i < 0 ? VERSION_ORDER.length : i;
}

const gv = (group: string, version: string) => (group ? `${group}/${version}` : version);

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: GroupVersions) {
  const versions = g.versions.map((v) => ({ groupVersion: gv(g.group, v), version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(resources: ResourceInfo[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(resources).filter((g) => g.group !== '').map(apiGroup) };
}

export function apiGroupDoc(resources: ResourceInfo[], group: string) {
  const g = groupsOf(resources).find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export function apiResourceList(resources: ResourceInfo[], group: string, version: string) {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const out: object[] = [];
  for (const r of rs) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames) entry.shortNames = r.shortNames;
    if (r.categories) entry.categories = r.categories;
    entry.storageVersionHash = storageVersionHash(r);
    out.push(entry);
    for (const s of r.subresources ?? []) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind ?? r.kind, verbs: s.verbs };
      if (s.group !== undefined) {
        sub.group = s.group;
        sub.version = s.version;
      }
      out.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources: out };
}

/** Aggregated discovery: the core group alone for `/api`, every named group for `/apis`. */
export function aggregatedDiscovery(resources: ResourceInfo[], core: boolean) {
  const items = groupsOf(resources)
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: resources
          .filter((r) => r.group === g.group && r.version === v)
          .map((r) => {
            const entry: Record<string, unknown> = {
              resource: r.resource,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: r.verbs,
            };
            if (r.shortNames) entry.shortNames = r.shortNames;
            if (r.categories) entry.categories = r.categories;
            if (r.subresources?.length) {
              entry.subresources = r.subresources.map((s) => ({
                subresource: s.name,
                responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind ?? r.kind },
                verbs: s.verbs,
              }));
            }
            return entry;
          }),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

// A stable short hash clients use to notice storage changes; any stable value per resource works.
function storageVersionHash(r: ResourceInfo): string {
  let h = 2166136261;
  for (const c of `${r.group}/${r.version}/${r.kind}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 11);
}
