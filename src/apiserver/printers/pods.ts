// Pod table as upstream's printPod (kubernetes pkg/printers/internalversion/printers.go): the
// Status column walks init containers, then app containers from last to first, so the reason a
// user sees is the most telling one (Init:0/1, ContainerCreating, CrashLoopBackOff, Completed,
// Terminating, …), and Restarts carries "(5m ago)" from the newest lastState.terminated.
import type { KubeObject } from '../../api/meta/types.ts';
import { doc } from './descriptions.ts';
import { age, conditionTrue, type Loose, parseTime, type PrintContext, since } from './format.ts';
import { AGE_COL, col, NAME_COL, type Printer, type TableRowCondition } from './types.ts';

const NODE_UNREACHABLE_REASON = 'NodeLost';

const SUCCEEDED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** A sidecar: an init container that keeps running (restartPolicy Always). */
function restartable(container: Loose): boolean {
  return container?.restartPolicy === 'Always';
}

function terminatedReason(prefix: string, terminated: Loose): string {
  if (terminated.reason) return prefix + terminated.reason;
  if (terminated.signal) return `${prefix}Signal:${terminated.signal}`;
  return `${prefix}ExitCode:${terminated.exitCode ?? 0}`;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
  conditions?: TableRowCondition[];
}

/** The Ready, Status and Restarts cells of one pod. */
export function summarizePod(pod: Loose, ctx: PrintContext): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0; // ms; 0 means never
  let lastSidecarRestart = 0;

  const initByName = new Map<string, Loose>();
  for (const c of spec.initContainers ?? []) {
    initByName.set(c?.name, c);
    if (restartable(c)) total++;
  }
  const initCount = (spec.initContainers ?? []).length;

  let initializing = false;
  const initStatuses: Loose[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const finished = parseTime(cs.lastState?.terminated?.finishedAt) ?? 0;
    restarts += cs.restartCount ?? 0;
    if (cs.lastState?.terminated) lastRestart = Math.max(lastRestart, finished);
    const sidecar = restartable(initByName.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastSidecarRestart = Math.max(lastSidecarRestart, finished);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) reason = terminatedReason('Init:', terminated);
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: Loose[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastRestart = Math.max(lastRestart, parseTime(cs.lastState.terminated.finishedAt) ?? 0);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason('', terminated);
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A container that completed while another still runs leaves the pod Running, not Completed.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartText = `${restarts} (${since(new Date(lastRestart).toISOString(), ctx)} ago)`;

  const summary: PodSummary = { ready: `${ready}/${total}`, status: reason, restarts: restartText };
  if (phase === 'Succeeded') summary.conditions = SUCCEEDED;
  else if (phase === 'Failed') summary.conditions = FAILED;
  return summary;
}

function readinessGates(pod: Loose): string {
  const gates: Loose[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueCount = 0;
  for (const gate of gates) {
    const c = (pod.status?.conditions ?? []).find((x: Loose) => x?.type === gate?.conditionType);
    if (c?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const POD_PRINTER: Printer = {
  columns: [
    NAME_COL,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COL,
    col('IP', doc('PodStatus.podIP'), { priority: 1 }),
    col('Node', doc('PodSpec.nodeName'), { priority: 1 }),
    col('Nominated Node', doc('PodStatus.nominatedNodeName'), { priority: 1 }),
    col('Readiness Gates', doc('PodSpec.readinessGates'), { priority: 1 }),
  ],
  row(obj: KubeObject, ctx) {
    const pod = obj as Loose;
    const s = summarizePod(pod, ctx);
    // The internal type carries podIPs; v1 objects that only set podIP convert to the same list.
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    const cells = [
      pod.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      age(obj, ctx),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
    return s.conditions ? { cells, conditions: s.conditions } : { cells };
  },
};
