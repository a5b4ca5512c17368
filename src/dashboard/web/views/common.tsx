// Pieces every view uses.
import { memo } from 'preact/compat';
import type { ComponentChildren } from 'preact';
import type { KubeList, KubeObject } from '../../../api/meta/types.ts';
import { rollBack } from '../../model/actions.ts';
import { nsFlag, type PodGlance } from '../../model/objects.ts';
import { getJson } from '../api.ts';
import type { LateAction } from '../app.tsx';

/**
 * Renders again only when `value` serialises differently or another plain prop changes (callbacks
 * are ignored: they do the same each render), so large grids redraw just what changed.
 */
export function memoByValue<P extends { value: unknown }>(render: (p: P) => preact.JSX.Element) {
  return memo(render, (a, b) => {
    for (const k of Object.keys(b) as (keyof P)[]) {
      if (k === 'value' || typeof b[k] === 'function') continue;
      if (a[k] !== b[k]) return false;
    }
    return a.value === b.value || JSON.stringify(a.value) === JSON.stringify(b.value);
  });
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function PodState(props: { pod?: PodGlance }) {
  const p = props.pod;
  if (!p) return <span class="state none">no pod</span>;
  return (
    <span class={`state ${p.state}`}>
      {p.reason ?? p.state}
      {p.restarts ? ` (${p.restarts} restarts)` : ''}
    </span>
  );
}

export const nsLabel = (ns: string) => (ns ? `namespace ${ns}` : 'any namespace');

export const byName = (a: { metadata: { name?: string; namespace?: string } }, b: { metadata: { name?: string; namespace?: string } }) =>
  `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);

/** kubectl rollout undo: reads the set's ControllerRevisions when asked, then patches. */
export function rollBackLater(resource: 'statefulsets' | 'daemonsets', set: KubeObject): LateAction {
  const ns = set.metadata.namespace ?? 'default';
  const kubectl = `kubectl rollout undo ${resource === 'statefulsets' ? 'sts' : 'ds'}/${set.metadata.name}${nsFlag(ns)}`;
  return {
    kubectl,
    build: async () => {
      const revisions = await getJson<KubeList>(`/apis/apps/v1/namespaces/${ns}/controllerrevisions`);
      const undo = rollBack(resource, set, revisions.items);
      if (!undo) throw new Error('no earlier revision to roll back to');
      return undo;
    },
  };
}
