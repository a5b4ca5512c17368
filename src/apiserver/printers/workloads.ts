// Tables for apps, batch and autoscaling kinds, as upstream's printers (kubernetes
// pkg/printers/internalversion/printers.go: printStatefulSet, printDaemonSet, printDeployment,
// printReplicaSet, printControllerRevision, printJob, printCronJob, printHorizontalPodAutoscaler).
// Unset replicas print as 1, the value v1 defaulting gives them.
import { doc } from './descriptions.ts';
import { age, boolPtr, conditionTrue, containerCells, formatLabelSelector, formatLabels, type Loose, parseTime, selectorString, since } from './format.ts';
import { humanDuration } from './duration.ts';
import { AGE_COL, col, NAME_COL, type Printer, WIDE_CONTAINERS_COL, WIDE_IMAGES_COL } from './types.ts';

const name = (o: Loose): string => o.metadata?.name ?? '';
const templateCells = (o: Loose): [string, string] => containerCells(o.spec?.template?.spec?.containers);
const READY_DOC = 'Number of the pod with ready state';

const STATEFUL_SET: Printer = {
  columns: [NAME_COL, col('Ready', READY_DOC), AGE_COL, WIDE_CONTAINERS_COL, WIDE_IMAGES_COL],
  row(obj, ctx) {
    const s = obj as Loose;
    return { cells: [name(s), `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, age(obj, ctx), ...templateCells(s)] };
  },
};

const DAEMON_SET: Printer = {
  columns: [
    NAME_COL,
    col('Desired', doc('DaemonSetStatus.desiredNumberScheduled'), { type: 'integer' }),
    col('Current', doc('DaemonSetStatus.currentNumberScheduled'), { type: 'integer' }),
    col('Ready', doc('DaemonSetStatus.numberReady'), { type: 'integer' }),
    col('Up-to-date', doc('DaemonSetStatus.updatedNumberScheduled'), { type: 'integer' }),
    col('Available', doc('DaemonSetStatus.numberAvailable'), { type: 'integer' }),
    col('Node Selector', doc('PodSpec.nodeSelector')),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('DaemonSetSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const d = obj as Loose;
    const st = d.status ?? {};
    return {
      cells: [
        name(d), st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0,
        st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, formatLabels(d.spec?.template?.spec?.nodeSelector),
        age(obj, ctx), ...templateCells(d), formatLabelSelector(d.spec?.selector),
      ],
    };
  },
};

const DEPLOYMENT: Printer = {
  columns: [
    NAME_COL,
    col('Ready', READY_DOC),
    col('Up-to-date', doc('DeploymentStatus.updatedReplicas')),
    col('Available', doc('DeploymentStatus.availableReplicas')),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('DeploymentSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const d = obj as Loose;
    const st = d.status ?? {};
    // Unlike the other workloads, upstream prints the raw selector string here ("" when empty).
    const selector = selectorString(d.spec?.selector) ?? '<invalid>';
    return {
      cells: [
        name(d), `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0,
        age(obj, ctx), ...templateCells(d), selector,
      ],
    };
  },
};

const REPLICA_SET: Printer = {
  columns: [
    NAME_COL,
    col('Desired', doc('ReplicaSetSpec.replicas'), { type: 'integer' }),
    col('Current', doc('ReplicaSetStatus.replicas'), { type: 'integer' }),
    col('Ready', doc('ReplicaSetStatus.readyReplicas'), { type: 'integer' }),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('ReplicaSetSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const r = obj as Loose;
    return {
      cells: [
        name(r), r.spec?.replicas ?? 1, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(obj, ctx),
        ...templateCells(r), formatLabelSelector(r.spec?.selector),
      ],
    };
  },
};

/** `statefulset.apps/web` from the controller ownerReference, "<none>" without one. */
function controllerName(obj: Loose): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r: Loose) => r?.controller === true);
  if (!ref) return '<none>';
  const apiVersion = String(ref.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = String(ref.kind ?? '');
  if (!kind && !group) return ref.name ?? '';
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ''}`;
}

const CONTROLLER_REVISION: Printer = {
  columns: [
    NAME_COL,
    col('Controller', 'Controller of the object'),
    col('Revision', doc('ControllerRevision.revision')),
    AGE_COL,
  ],
  row: (obj, ctx) => ({ cells: [name(obj), controllerName(obj), (obj.revision as number) ?? 0, age(obj, ctx)] }),
};

function jobStatus(job: Loose): string {
  const conditions = job.status?.conditions;
  if (conditionTrue(conditions, 'Complete')) return 'Complete';
  if (conditionTrue(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(conditions, 'Suspended')) return 'Suspended';
  if (conditionTrue(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: Loose): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

const JOB: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'Status of the job.'),
    col('Completions', doc('JobStatus.succeeded')),
    col('Duration', 'Time required to complete the job.'),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('JobSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const j = obj as Loose;
    const start = parseTime(j.status?.startTime);
    const end = parseTime(j.status?.completionTime);
    let duration = '';
    if (start !== undefined) duration = end === undefined ? since(j.status.startTime, ctx) : humanDuration(end - start);
    return {
      cells: [name(j), jobStatus(j), jobCompletions(j), duration, age(obj, ctx), ...templateCells(j), formatLabelSelector(j.spec?.selector)],
    };
  },
};

const CRON_JOB: Printer = {
  columns: [
    NAME_COL,
    col('Schedule', doc('CronJobSpec.schedule')),
    col('Timezone', doc('CronJobSpec.timeZone')),
    col('Suspend', doc('CronJobSpec.suspend'), { type: 'boolean' }),
    col('Active', doc('CronJobStatus.active'), { type: 'integer' }),
    col('Last Schedule', doc('CronJobStatus.lastScheduleTime')),
    AGE_COL,
    WIDE_CONTAINERS_COL,
    WIDE_IMAGES_COL,
    col('Selector', doc('JobSpec.selector'), { priority: 1 }),
  ],
  row(obj, ctx) {
    const c = obj as Loose;
    const jobSpec = c.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    return {
      cells: [
        name(c), c.spec?.schedule ?? '', c.spec?.timeZone ?? '<none>', boolPtr(c.spec?.suspend), (c.status?.active ?? []).length,
        c.status?.lastScheduleTime ? since(c.status.lastScheduleTime, ctx) : '<none>', age(obj, ctx), names, images,
        formatLabelSelector(jobSpec?.selector),
      ],
    };
  },
};

export const WORKLOAD_PRINTERS: Record<string, Printer> = {
  'apps/statefulsets': STATEFUL_SET,
  'apps/daemonsets': DAEMON_SET,
  'apps/deployments': DEPLOYMENT,
  'apps/replicasets': REPLICA_SET,
  'apps/controllerrevisions': CONTROLLER_REVISION,
  'batch/jobs': JOB,
  'batch/cronjobs': CRON_JOB,
};
