// Where the page is, in the URL's hash (#/statefulsets/default/web), so a view can be linked to
// and the browser's back button works.
export const SECTIONS = ['statefulsets', 'daemonsets', 'deployments', 'services', 'storage', 'events', 'nodes'] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Record<Section, string> = {
  statefulsets: 'StatefulSets',
  daemonsets: 'DaemonSets',
  deployments: 'Deployments',
  services: 'Services',
  storage: 'Storage',
  events: 'Events',
  nodes: 'Nodes',
};

export interface Route {
  section: Section;
  /** '' for every namespace. */
  namespace: string;
  name?: string;
}

export function parseRoute(hash: string): Route {
  const [section, namespace, name] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return {
    section: (SECTIONS as readonly string[]).includes(section ?? '') ? (section as Section) : 'statefulsets',
    namespace: namespace === '_all' ? '' : (namespace ?? 'default'),
    ...(name ? { name } : {}),
  };
}

export function routeHash(r: Route): string {
  return `#/${r.section}/${r.namespace ? encodeURIComponent(r.namespace) : '_all'}${r.name ? `/${encodeURIComponent(r.name)}` : ''}`;
}
