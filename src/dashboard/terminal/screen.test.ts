import { describe, expect, it } from 'vitest';
import type { DaemonSetView, NodeCell } from '../model/daemonset.ts';
import type { DeploymentView } from '../model/deployment.ts';
import type { PodGlance } from '../model/objects.ts';
import type { ClaimGlance, Slot, StatefulSetView } from '../model/statefulset.ts';
import { changedLines, daemonSetScreen, deploymentScreen, screenLines, statefulSetScreen, visibleRows, type Row, type Screen } from './screen.ts';

const ready = (name: string, node = 'n1'): PodGlance => ({ name, state: 'Ready', ready: true, node, restarts: 0 });
const bound = (name: string, volume = `pv-${name}`): ClaimGlance => ({ name, template: 'data', phase: 'Bound', volume, capacity: '1Gi' });

function slot(ordinal: number, o: Partial<Slot> = {}): Slot {
  return { ordinal, podName: `web-${ordinal}`, pod: ready(`web-${ordinal}`), revision: 'current', wanted: true, belowPartition: false, claims: [bound(`data-web-${ordinal}`)], ...o };
}

function sts(slots: Slot[], o: Partial<StatefulSetView> = {}): StatefulSetView {
  return {
    namespace: 'ns', name: 'web', replicas: slots.length, readyReplicas: slots.length, updatedReplicas: 0, currentRevision: 'web-a', updateRevision: 'web-a',
    strategy: 'RollingUpdate', partition: 0, podManagementPolicy: 'OrderedReady', serviceName: 'web', slots, summary: `${slots.length}/${slots.length} ready`, ...o,
  };
}

/** Each row as its first few columns (runs of two or more spaces apart) and its tone. */
const brief = (rows: Row[], words = 3) => rows.map((r) => `${r.text.trim().split(/\s{2,}/).slice(0, words).join(' ')} [${r.tone}]`);

describe('statefulSetScreen', () => {
  const cases: { name: string; view: StatefulSetView; rows: string[]; contains?: string[] }[] = [
    {
      name: 'one row per ordinal in order, with node and claim',
      view: sts([slot(0), slot(1, { pod: ready('web-1', 'n2') })]),
      rows: ['0 web-0 Running [ok]', '1 web-1 Running [ok]'],
      contains: ['n2', 'data-web-1 Bound 1Gi → pv-data-web-1'],
    },
    {
      name: 'a wanted ordinal without a pod yet, and a creating one',
      view: sts([slot(0), slot(1, { pod: { name: 'web-1', state: 'ContainerCreating', ready: false, node: 'n1', restarts: 0 } }), slot(2, { pod: undefined, revision: 'none', claims: [{ name: 'data-web-2', template: 'data', phase: 'Missing' }] })]),
      rows: ['0 web-0 Running [ok]', '1 web-1 ContainerCreating [progress]', '2 web-2 (no pod yet) [dim]'],
      contains: ['data-web-2 (not created)'],
    },
    {
      name: 'scale-down: a terminating pod past the replica count, and a claim left waiting',
      view: sts([slot(0), slot(1, { wanted: false, pod: { ...ready('web-1'), state: 'Terminating' } }), slot(2, { wanted: false, pod: undefined, revision: 'none' })], { replicas: 1 }),
      rows: ['0 web-0 Running [ok]', '1 web-1 Terminating ↓ [warn]', '2 web-2 (none) [dim]'],
      contains: [ 'data-web-2 Bound 1Gi (kept, waiting for its pod) → pv-data-web-2'],
    },
    {
      name: 'a partition line between the ordinals it separates',
      view: sts([slot(0, { belowPartition: true }), slot(1, { belowPartition: true }), slot(2, { revision: 'update' })], { partition: 2, updateRevision: 'web-b' }),
      rows: ['0 web-0 Running [ok]', '1 web-1 Running [ok]', '── partition 2: ordinals above the line move to the update revision ── [mark]', '2 web-2 Running [ok]'],
      contains: ['update'],
    },
    {
      name: 'no partition line under OnDelete, nor when every ordinal is below it',
      view: sts([slot(0, { belowPartition: true }), slot(1, { belowPartition: true })], { partition: 5 }),
      rows: ['0 web-0 Running [ok]', '1 web-1 Running [ok]'],
    },
    {
      name: 'a waiting reason is the status, and reads as bad',
      view: sts([slot(0, { pod: { name: 'web-0', state: 'Running', ready: false, node: 'n1', reason: 'CrashLoopBackOff', restarts: 4 } })]),
      rows: ['0 web-0 CrashLoopBackOff [bad]'],
    },
  ];
  it.each(cases)('$name', ({ view, rows, contains = [] }) => {
    const screen = statefulSetScreen(view);
    expect(brief(screen.rows)).toEqual(rows);
    const text = screenLines(screen).join('\n');
    for (const c of contains) expect(text).toContain(c);
  });

  it('titles the set with its policy, strategy and service, and aligns the header with the rows', () => {
    const screen = statefulSetScreen(sts([slot(0), slot(10)]));
    expect(screen.title).toBe('statefulset ns/web · OrderedReady · RollingUpdate · service web');
    const col = (line: string, word: string) => line.indexOf(word);
    expect(col(screen.rows[0]!.text, 'Running')).toBe(col(screen.header, 'STATUS'));
    expect(col(screen.rows[1]!.text, 'n1')).toBe(col(screen.header, 'NODE'));
    expect(screen.header.endsWith('CLAIMS')).toBe(true);
  });

  it('has no CLAIMS column for a set without claim templates', () => {
    expect(statefulSetScreen(sts([slot(0, { claims: [] })])).header.endsWith('NODE')).toBe(true);
  });
});

function cell(node: string, o: Partial<NodeCell> = {}): NodeCell {
  return { node, nodeReady: true, cordoned: false, pod: ready(`fluentd-${node}`, node), updated: true, wanted: true, ...o };
}

function dsView(cells: NodeCell[], o: Partial<DaemonSetView> = {}): DaemonSetView {
  return { namespace: 'kube-system', name: 'fluentd', desired: cells.length, ready: cells.length, updated: cells.length, available: cells.length, unavailable: 0, strategy: 'RollingUpdate', maxUnavailable: 1, maxSurge: 0, hash: 'h', cells, summary: 'ok', ...o };
}

describe('daemonSetScreen', () => {
  const cases: { name: string; cells: NodeCell[]; rows: string[]; notes?: Record<number, string> }[] = [
    { name: 'a pod per node, updated or not', cells: [cell('a'), cell('b', { updated: false })], rows: ['a fluentd-a Running [ok]', 'b fluentd-b Running [ok]'], notes: { 0: 'yes', 1: 'no' } },
    {
      name: 'a node the set excludes says why, dimmed',
      cells: [cell('a'), cell('db', { pod: undefined, wanted: false, reason: 'taint dedicated=db:NoSchedule not tolerated' })],
      rows: ['a fluentd-a Running [ok]', 'db - - [dim]'],
      notes: { 1: 'taint dedicated=db:NoSchedule not tolerated' },
    },
    { name: 'a wanted node still without its pod', cells: [cell('new', { pod: undefined })], rows: ['new - (no pod yet) [progress]'] },
    {
      name: 'cordoned and not-ready nodes are noted once',
      cells: [cell('c', { cordoned: true }), cell('d', { nodeReady: false, reason: 'node not ready', pod: { ...ready('fluentd-d', 'd'), ready: false, state: 'Running' } }), cell('e', { nodeReady: false })],
      rows: ['c fluentd-c Running [ok]', 'd fluentd-d Running [progress]', 'e fluentd-e Running [ok]'],
      notes: { 0: 'cordoned', 1: 'node not ready', 2: 'node not ready' },
    },
  ];
  it.each(cases)('$name', ({ cells, rows, notes = {} }) => {
    const screen = daemonSetScreen(dsView(cells));
    expect(brief(screen.rows)).toEqual(rows);
    for (const [i, note] of Object.entries(notes)) expect(screen.rows[Number(i)]!.text.endsWith(note)).toBe(true);
    expect(screen.rows[1]?.text.match(/node not ready/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('shows the rolling-update budget in the title and the node count in the summary', () => {
    const screen = daemonSetScreen(dsView([cell('a'), cell('b')], { maxUnavailable: 2, maxSurge: 1 }));
    expect(screen.title).toBe('daemonset kube-system/fluentd · RollingUpdate · maxUnavailable 2, maxSurge 1');
    expect(screen.summary).toBe('ok · 2 nodes');
    expect(daemonSetScreen(dsView([cell('a')], { strategy: 'OnDelete' })).title).toBe('daemonset kube-system/fluentd · OnDelete');
  });
});

describe('deploymentScreen', () => {
  it('lists ReplicaSets newest first, each with its pods by name', () => {
    const view: DeploymentView = {
      namespace: 'default', name: 'nginx', replicas: 2, ready: 2, updated: 1, available: 2, strategy: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%', summary: '2/2 ready',
      replicaSets: [
        { name: 'nginx-b', revision: 2, hash: 'b', desired: 1, ready: 1, newest: true, pods: [ready('nginx-b-zz'), ready('nginx-b-aa')] },
        { name: 'nginx-a', revision: 1, hash: 'a', desired: 1, ready: 1, newest: false, pods: [ready('nginx-a-qq')] },
      ],
    };
    const screen = deploymentScreen(view);
    expect(brief(screen.rows, 1)).toEqual(['nginx-b [mark]', 'nginx-b-aa [ok]', 'nginx-b-zz [ok]', 'nginx-a [dim]', 'nginx-a-qq [ok]']);
    expect(screen.rows[0]!.text).toContain('revision 2 (newest)');
    expect(screen.title).toContain('maxSurge 25%, maxUnavailable 25%');
  });
});

describe('visibleRows', () => {
  const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ key: String(i), text: `row ${i}`, tone: 'ok' }));
  const cases: { name: string; height: number; offset?: number; texts: string[] }[] = [
    { name: 'all rows when they fit', height: 10, texts: rows.map((r) => r.text) },
    { name: 'the head and a count of the rest', height: 4, texts: ['row 0', 'row 1', 'row 2', '… 7 more below (↑/↓ to scroll)'] },
    { name: 'scrolled into the middle', height: 4, offset: 3, texts: ['row 3', 'row 4', 'row 5', '… 3 above, 4 more below (↑/↓ to scroll)'] },
    { name: 'scrolling stops at the end', height: 4, offset: 50, texts: ['row 7', 'row 8', 'row 9', '… 7 above (↑/↓ to scroll)'] },
    { name: 'at least one row however small', height: 0, texts: ['row 0', '… 9 more below (↑/↓ to scroll)'] },
  ];
  it.each(cases)('$name', ({ height, offset, texts }) => {
    expect(visibleRows(rows, height, offset).map((r) => r.text)).toEqual(texts);
  });
});

describe('changedLines', () => {
  const screen = (summary: string, rows: [string, string][]): Screen => ({ title: 't', summary, header: 'h', legend: '', rows: rows.map(([key, text]) => ({ key, label: `pod ${key}`, text, tone: 'ok' })) });
  const cases: { name: string; prev: Screen; next: Screen; lines: string[] }[] = [
    { name: 'nothing changed: nothing printed', prev: screen('1/1', [['0', 'web-0 Running']]), next: screen('1/1', [['0', 'web-0 Running']]), lines: [] },
    { name: 'a changed row and the summary', prev: screen('1/2', [['0', 'web-0 Running'], ['1', 'web-1 Pending']]), next: screen('2/2', [['0', 'web-0 Running'], ['1', 'web-1 Running']]), lines: ['2/2', 'web-1 Running'] },
    { name: 'new rows in order', prev: screen('s', [['0', 'a']]), next: screen('s', [['0', 'a'], ['1', 'b'], ['2', 'c']]), lines: ['b', 'c'] },
    { name: 'a row that went away is named', prev: screen('s', [['0', 'a'], ['1', 'b']]), next: screen('s', [['0', 'a']]), lines: ['pod 1 gone'] },
  ];
  it.each(cases)('$name', ({ prev, next, lines }) => {
    expect(changedLines(prev, next)).toEqual(lines);
  });
});
