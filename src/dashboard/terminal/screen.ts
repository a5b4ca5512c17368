// What `k8ts watch` draws: the dashboard's view models laid out as rows of text. Pure, so the
// terminal UI (a TTY) and the plain-line output (a pipe, a CI log) show the same thing, and tests
// read it without a terminal.
import type { DaemonSetView, NodeCell } from '../model/daemonset.ts';
import type { DeploymentView } from '../model/deployment.ts';
import type { PodGlance } from '../model/objects.ts';
import type { ClaimGlance, Slot, StatefulSetView } from '../model/statefulset.ts';

/** How a row reads at a glance; the terminal UI colours by it, plain output ignores it. */
export type Tone = 'ok' | 'progress' | 'warn' | 'bad' | 'dim' | 'mark';

export interface Row {
  /** Stable identity across redraws (the ordinal, the node…), so changes can be told apart. */
  key: string;
  text: string;
  tone: Tone;
  /** How a change report names the row once it is gone (default: the key). */
  label?: string;
}

export interface Screen {
  title: string;
  summary: string;
  /** Column headings, aligned with the rows. */
  header: string;
  rows: Row[];
  /** A line under the rows: what the marks mean. */
  legend: string;
}

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

function podTone(pod: PodGlance | undefined): Tone {
  if (!pod) return 'dim';
  if (pod.state === 'Failed' || (pod.reason && pod.state !== 'Terminating')) return 'bad';
  if (pod.state === 'Terminating') return 'warn';
  return pod.ready || pod.state === 'Succeeded' ? 'ok' : 'progress';
}

/** STATUS as `kubectl get pods` words it: the waiting reason wins over the phase. */
const podStatus = (pod: PodGlance) => (pod.reason && pod.state !== 'Terminating' ? pod.reason : pod.state === 'Ready' ? 'Running' : pod.state);

function claimText(c: ClaimGlance, podMissing: boolean): string {
  if (c.phase === 'Missing') return `${c.name} (not created)`;
  // The volume's long generated name last, where a narrow terminal cuts.
  const parts = [c.name, c.phase];
  if (c.capacity) parts.push(c.capacity);
  if (podMissing) parts.push('(kept, waiting for its pod)');
  if (c.volume) parts.push(`→ ${c.volume}`);
  return parts.join(' ');
}

const REVISION_WORD: Record<Slot['revision'], string> = { current: 'current', update: 'update', old: 'old', none: '-' };

/** Ordinal slots in order, the partition drawn as a line between the ordinals it separates. */
export function statefulSetScreen(view: StatefulSetView): Screen {
  const w = { ord: 5, pod: Math.max(8, ...view.slots.map((s) => s.podName.length + 2)), status: 19, ready: 7, rev: 9, node: Math.max(6, ...view.slots.map((s) => (s.pod?.node?.length ?? 0) + 2)) };
  const rows: Row[] = [];
  const partitionAt = view.strategy === 'RollingUpdate' && view.partition > 0 ? view.slots.findIndex((s) => !s.belowPartition) : -1;
  view.slots.forEach((slot, i) => {
    if (i === partitionAt && i > 0) rows.push({ key: 'partition', label: 'partition line', text: `── partition ${view.partition}: ordinals above the line move to the update revision ──`, tone: 'mark' });
    const pod = slot.pod;
    let status = pod ? podStatus(pod) : slot.wanted ? '(no pod yet)' : '(none)';
    if (pod && !slot.wanted) status += ' ↓';
    const text =
      pad(String(slot.ordinal), w.ord) +
      pad(slot.podName, w.pod) +
      pad(status, w.status) +
      pad(pod ? (pod.ready ? '1/1' : '0/1') : '-', w.ready) +
      pad(REVISION_WORD[slot.revision], w.rev) +
      pad(pod?.node ?? '-', w.node) +
      slot.claims.map((c) => claimText(c, !pod)).join('; ');
    rows.push({ key: `ordinal/${slot.ordinal}`, label: slot.podName, text: text.trimEnd(), tone: !slot.wanted && !pod ? 'dim' : podTone(pod) });
  });
  const header = pad('ORD', w.ord) + pad('POD', w.pod) + pad('STATUS', w.status) + pad('READY', w.ready) + pad('REVISION', w.rev) + pad('NODE', w.node) + (view.slots.some((s) => s.claims.length) ? 'CLAIMS' : '');
  return {
    title: `statefulset ${view.namespace}/${view.name} · ${view.podManagementPolicy} · ${view.strategy}${view.serviceName ? ` · service ${view.serviceName}` : ''}`,
    summary: view.summary,
    header: header.trimEnd(),
    rows,
    legend: '↓ past the replica count (scaling down) · revision: current / update (new template) / old',
  };
}

function cellStatus(cell: NodeCell): string {
  if (cell.pod) return podStatus(cell.pod);
  return cell.wanted ? '(no pod yet)' : '-';
}

function cellTone(cell: NodeCell): Tone {
  if (!cell.pod) return cell.wanted ? 'progress' : 'dim';
  return podTone(cell.pod);
}

/** One row per node, in name order: its daemon pod, or why it has none. */
export function daemonSetScreen(view: DaemonSetView): Screen {
  const w = { node: Math.max(6, ...view.cells.map((c) => c.node.length + 2)), pod: Math.max(5, ...view.cells.map((c) => (c.pod?.name.length ?? 0) + 2)), status: 19, upd: 9 };
  const rows = view.cells.map((cell): Row => {
    const notes = [cell.reason, cell.cordoned ? 'cordoned' : undefined, cell.nodeReady ? undefined : cell.reason === 'node not ready' ? undefined : 'node not ready'].filter(Boolean);
    const text = pad(cell.node, w.node) + pad(cell.pod?.name ?? '-', w.pod) + pad(cellStatus(cell), w.status) + pad(cell.pod ? (cell.updated ? 'yes' : 'no') : '-', w.upd) + notes.join('; ');
    return { key: `node/${cell.node}`, label: `node ${cell.node}`, text: text.trimEnd(), tone: cellTone(cell) };
  });
  const budget = view.strategy === 'RollingUpdate' ? ` · maxUnavailable ${view.maxUnavailable}, maxSurge ${view.maxSurge}` : '';
  return {
    title: `daemonset ${view.namespace}/${view.name} · ${view.strategy}${budget}`,
    summary: `${view.summary} · ${view.cells.length} node${view.cells.length === 1 ? '' : 's'}`,
    header: (pad('NODE', w.node) + pad('POD', w.pod) + pad('STATUS', w.status) + pad('UPDATED', w.upd) + 'WHY NOT / NOTES').trimEnd(),
    rows,
    legend: 'UPDATED: the pod runs the newest template',
  };
}

/** ReplicaSets newest first, each with its pods (random names, no order). */
export function deploymentScreen(view: DeploymentView): Screen {
  const rows: Row[] = [];
  for (const rs of view.replicaSets) {
    rows.push({ key: `rs/${rs.name}`, label: `replicaset ${rs.name}`, text: `${rs.name}  revision ${rs.revision}${rs.newest ? ' (newest)' : ''}  ${rs.ready}/${rs.desired} ready`, tone: rs.newest ? 'mark' : 'dim' });
    for (const pod of [...rs.pods].sort((a, b) => a.name.localeCompare(b.name))) {
      rows.push({ key: `pod/${pod.name}`, label: pod.name, text: `  ${pad(pod.name, 34)}${pad(podStatus(pod), 19)}${pad(pod.ready ? '1/1' : '0/1', 7)}${pod.node ?? '-'}`.trimEnd(), tone: podTone(pod) });
    }
  }
  return {
    title: `deployment ${view.namespace}/${view.name} · ${view.strategy}${view.maxSurge !== undefined ? ` · maxSurge ${view.maxSurge}, maxUnavailable ${view.maxUnavailable}` : ''}`,
    summary: view.summary,
    header: '',
    rows,
    legend: 'pods of a Deployment have random names and no order: compare a StatefulSet',
  };
}

/** A screen for an object not (or no longer) there. */
export function waitingScreen(kind: string, namespace: string, name: string): Screen {
  return { title: `${kind} ${namespace}/${name}`, summary: `waiting: ${kind} "${name}" does not exist in namespace ${namespace}`, header: '', rows: [], legend: '' };
}

/**
 * The rows that fit in `height` lines: the head of the list and a line saying how many more.
 * `offset` scrolls.
 */
export function visibleRows(rows: readonly Row[], height: number, offset = 0): Row[] {
  if (rows.length <= height) return [...rows];
  const room = Math.max(1, height - 1);
  const from = Math.max(0, Math.min(offset, rows.length - room));
  const shown = rows.slice(from, from + room);
  const after = rows.length - from - shown.length;
  const before = from;
  const more = [before ? `${before} above` : '', after ? `${after} more below` : ''].filter(Boolean).join(', ');
  return [...shown, { key: 'more', text: `… ${more} (↑/↓ to scroll)`, tone: 'dim' }];
}

/** The whole screen as lines, for a first plain print. */
export function screenLines(screen: Screen): string[] {
  return [screen.title, screen.summary, ...(screen.header ? [screen.header] : []), ...screen.rows.map((r) => r.text)];
}

/**
 * What changed between two screens, as lines to print on a pipe (as `kubectl get -w` prints
 * changed rows): a changed summary, then each new or changed row, then rows that went away.
 */
export function changedLines(prev: Screen, next: Screen): string[] {
  const out: string[] = [];
  if (prev.title !== next.title) out.push(next.title);
  if (prev.summary !== next.summary) out.push(next.summary);
  const before = new Map(prev.rows.map((r) => [r.key, r.text]));
  const after = new Set(next.rows.map((r) => r.key));
  for (const row of next.rows) if (before.get(row.key) !== row.text) out.push(row.text);
  for (const row of prev.rows) if (!after.has(row.key)) out.push(`${row.label ?? row.key} gone`);
  return out;
}
