// Job and CronJob rules: pkg/apis/batch/v1/defaults.go, pkg/apis/batch/validation/validation.go
// (ValidateJob{,Spec,Update}, ValidateCronJob{,Spec}) and pkg/registry/batch/job/strategy.go
// (generated selector and labels).
import { type FieldError, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setPodTemplateSpecDefaults } from '../core/pod-defaults.ts';
import { validatePodTemplateSpec } from '../core/pod-spec.ts';
import { type Obj, child, isObj, objAt } from '../validation/json.ts';
import { validateNonnegative } from '../validation/int-or-percent.ts';
import { maxLenError } from '../validation/names.ts';
import { validateImmutableField } from '../validation/object-meta.ts';
import { validateWorkloadSelector } from '../validation/selector.ts';

const MAX_INT32 = 2147483647;

export function setJobSpecDefaults(spec: Obj): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined || spec.parallelism === null) spec.parallelism = 1;
  if (spec.backoffLimit === undefined || spec.backoffLimit === null) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined || spec.suspend === null) spec.suspend = false;
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  setPodTemplateSpecDefaults(child(spec, 'template'));
}

export function setJobDefaults(job: KubeObject): void {
  const spec = child(job as Obj, 'spec');
  setJobSpecDefaults(spec);
  const labels = objAt(objAt(objAt(spec, 'template'), 'metadata'), 'labels');
  if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...(labels as Record<string, string>) };
}

/**
 * Job PrepareForCreate: unless spec.manualSelector, select on the Job's UID and label the pod
 * template with it and the Job name (both the prefixed and legacy label keys).
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = child(job as Obj, 'spec');
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  const meta = child(child(spec, 'template'), 'metadata');
  meta.labels = {
    ...(isObj(meta.labels) ? meta.labels : {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  if (!isObj(spec.selector)) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function validateJobSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished']) errs.push(...validateNonnegative(spec[k], `${path}.${k}`));
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0) {
    errs.push(invalidValue(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(String(spec.completionMode))) {
    errs.push(notSupported(`${path}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const rp = objAt(objAt(spec, 'template'), 'spec')?.restartPolicy;
  if (!rp) errs.push(required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  return errs;
}

export function validateJob(job: KubeObject): FieldError[] {
  const spec: Obj = isObj(job.spec) ? job.spec : {};
  return [...validateWorkloadSelector(spec, 'spec', 'job', { allowEmpty: true }), ...validateJobSpec(spec, 'spec')];
}

/** Selector, template (while not suspended), completion mode and (non-indexed) completions are fixed. */
export function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const spec: Obj = isObj(job.spec) ? job.spec : {};
  const prev: Obj = isObj(old.spec) ? old.spec : {};
  const errs = [...validateImmutableField(spec.selector, prev.selector, 'spec.selector'), ...validateImmutableField(spec.completionMode, prev.completionMode, 'spec.completionMode')];
  if (prev.suspend !== true) errs.push(...validateImmutableField(spec.template, prev.template, 'spec.template'));
  if (spec.completionMode !== 'Indexed') errs.push(...validateImmutableField(spec.completions, prev.completions, 'spec.completions'));
  return errs;
}

export function setCronJobDefaults(cj: KubeObject): void {
  const spec = child(cj as Obj, 'spec');
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend === undefined || spec.suspend === null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit === undefined || spec.successfulJobsHistoryLimit === null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit === undefined || spec.failedJobsHistoryLimit === null) spec.failedJobsHistoryLimit = 1;
  setPodTemplateSpecDefaults(child(child(child(spec, 'jobTemplate'), 'spec'), 'template'));
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function cronParses(schedule: string): boolean {
  const s = schedule.replace(/^(CRON_)?TZ=\S+\s+/, '').trim();
  if (CRON_MACROS.includes(s) || /^@every\s+\S+$/.test(s)) return true;
  const fields = s.split(/\s+/);
  return fields.length === 5 && fields.every((f) => /^[\d*?/,\-A-Za-z]+$/.test(f));
}

export function validateCronJob(cj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if ((cj.metadata.name ?? '').length > 52) errs.push(invalidValue('metadata.name', cj.metadata.name, maxLenError(52)));
  const spec: Obj = isObj(cj.spec) ? cj.spec : {};
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  if (!schedule) errs.push(required('spec.schedule'));
  else if (!cronParses(schedule)) errs.push(invalidValue('spec.schedule', schedule, `unparseable schedule: ${JSON.stringify(schedule)}`));
  else if (/(^|\s)(CRON_)?TZ=/.test(schedule)) errs.push(invalidValue('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  if (!['Allow', 'Forbid', 'Replace'].includes(String(spec.concurrencyPolicy))) {
    errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', ['Allow', 'Forbid', 'Replace']));
  }
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...validateNonnegative(spec[k], `spec.${k}`));
  const jobSpec = objAt(objAt(spec, 'jobTemplate'), 'spec') ?? {};
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
  return errs;
}
