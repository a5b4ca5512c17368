// Pieces every view uses.
import { memo } from 'preact/compat';
import type { ComponentChildren } from 'preact';
import type { PodGlance } from '../../model/objects.ts';

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
