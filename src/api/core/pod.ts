// Pod create/update/status rules: pkg/apis/core/validation/validation.go ValidatePodCreate,
// ValidatePodUpdate, ValidateContainerUpdates; pkg/registry/core/pod/strategy.go (status on
// create, QoS class, SchedulingGated condition); plugin/pkg/admission/defaulttolerationseconds.
import { type FieldError, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, specDiff, arrAt, child, clone, isObj, objAt, objs, semanticEqual } from '../validation/json.ts';
import { inclusiveRangeError, nameIsDNSSubdomain } from '../validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import { parseQuantity } from '../validation/quantity.ts';
import { validatePodSpec } from './pod-spec.ts';
import { validateOnlyAddedTolerations } from './scheduling.ts';

const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

function imageWhitespace(list: unknown[], path: string): FieldError[] {
  return objs(list).flatMap((c, i) =>
    typeof c.image === 'string' && c.image.trim() !== c.image ? [invalidValue(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace')] : [],
  );
}

function validatePodMetadataAndSpec(pod: KubeObject): FieldError[] {
  const s = spec(pod);
  return [
    ...validatePodSpec(s, 'spec'),
    ...imageWhitespace(arrAt(s, 'containers'), 'spec.containers'),
    ...imageWhitespace(arrAt(s, 'initContainers'), 'spec.initContainers'),
  ];
}

export function validatePod(pod: KubeObject): FieldError[] {
  const errs = [...validateObjectMeta(pod.metadata, { nameFn: nameIsDNSSubdomain, namespaced: true }), ...validatePodMetadataAndSpec(pod)];
  const s = spec(pod);
  if (arrAt(s, 'ephemeralContainers').length) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (s.nodeName && arrAt(s, 'schedulingGates').length) errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(next: unknown[], prev: unknown[], path: string): { errs: FieldError[]; stop: boolean } {
  if (next.length !== prev.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  objs(next).forEach((c, i) => {
    if (!c.image) errs.push(required(`${path}[${i}].image`));
  });
  return { errs, stop: false };
}

/** A short field-by-field diff of two pod specs, standing in for upstream's cmp.Diff text. */
export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodMetadataAndSpec(pod)];
  const next = spec(pod);
  const prev = spec(old);
  for (const list of ['containers', 'initContainers']) {
    const r = containerUpdates(arrAt(next, list), arrAt(prev, list), `spec.${list}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = next.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (typeof ads !== 'number' || ads < 0 || ads > 2147483647) {
      errs.push(invalidValue('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (typeof prev.activeDeadlineSeconds === 'number' && prev.activeDeadlineSeconds < ads) {
      errs.push(invalidValue('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds !== null) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(next.tolerations, prev.tolerations, 'spec.tolerations'));
  // Scheduling gates may only be removed.
  const prevGates = arrAt(prev, 'schedulingGates');
  for (const g of arrAt(next, 'schedulingGates')) {
    if (!prevGates.some((o) => semanticEqual(o, g))) {
      errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate ' + JSON.stringify(isObj(g) ? g.name : g)));
      break;
    }
  }
  if (semanticEqual(next, prev)) return errs;

  // Mask the mutable fields, then any remaining difference is forbidden.
  const munged = clone(next);
  for (const list of ['containers', 'initContainers']) {
    const prevList = objs(arrAt(prev, list));
    objs(arrAt(munged, list)).forEach((c, i) => {
      if (prevList[i]?.image === undefined) delete c.image;
      else c.image = prevList[i]!.image;
    });
  }
  for (const k of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) {
    if (prev[k] === undefined) delete munged[k];
    else munged[k] = clone(prev[k]);
  }
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, prev)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff('core.PodSpec', prev, munged)}`));
  }
  return errs;
}

function nonZero(q: unknown): boolean {
  return (parseQuantity(q) ?? 0) !== 0;
}

/** qos.ComputePodQOS: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits. */
export function computeQosClass(podSpec: Obj): string {
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  let guaranteed = true;
  for (const c of [...objs(arrAt(podSpec, 'containers')), ...objs(arrAt(podSpec, 'initContainers'))]) {
    const res = objAt(c, 'resources');
    const req = objAt(res, 'requests') ?? {};
    const lim = objAt(res, 'limits') ?? {};
    for (const name of ['cpu', 'memory']) {
      if (nonZero(req[name])) requests[name] = (requests[name] ?? 0) + (parseQuantity(req[name]) ?? 0);
      if (nonZero(lim[name])) limits[name] = (limits[name] ?? 0) + (parseQuantity(lim[name]) ?? 0);
    }
    if (!nonZero(lim.cpu) || !nonZero(lim.memory)) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of Object.entries(requests)) if (limits[k] !== v) guaranteed = false;
    if (Object.keys(requests).length !== Object.keys(limits).length) {
      // Requests default from limits on pods, so a missing request means it was not defaulted.
      for (const k of Object.keys(limits)) if (requests[k] === undefined) guaranteed = false;
    }
  }
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Pod PrepareForCreate: status starts Pending with its QoS class (and SchedulingGated when gated). */
export function preparePodForCreate(pod: KubeObject, now: string): void {
  const s = spec(pod);
  const status: Obj = { phase: 'Pending', qosClass: computeQosClass(s) };
  if (arrAt(s, 'schedulingGates').length) {
    status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: now }];
  }
  pod.status = status;
}

export const NOT_READY_TOLERATION = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
export const UNREACHABLE_TOLERATION = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

/**
 * The DefaultTolerationSeconds admission plugin: unless the pod already tolerates them, add
 * NoExecute tolerations for the not-ready and unreachable taints, each for 300 s. The registry
 * calls this for pods on create (upstream also runs it on update, where it only ever adds).
 */
export function addDefaultTolerationSeconds(pod: KubeObject, seconds = 300): void {
  const s = child(pod as Obj, 'spec');
  const tolerations = objs(arrAt(s, 'tolerations'));
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added: Obj[] = [];
  if (!tolerates(NOT_READY_TOLERATION.key)) added.push({ ...NOT_READY_TOLERATION, tolerationSeconds: seconds });
  if (!tolerates(UNREACHABLE_TOLERATION.key)) added.push({ ...UNREACHABLE_TOLERATION, tolerationSeconds: seconds });
  if (added.length) s.tolerations = [...arrAt(s, 'tolerations'), ...added];
}
