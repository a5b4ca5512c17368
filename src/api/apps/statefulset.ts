// StatefulSet defaulting and validation: pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet and
// pkg/apis/apps/validation/validation.go ValidateStatefulSet{,Spec,Update,Status,StatusUpdate}.
// Upstream validates only the template's labels and annotations, not its PodSpec (bad pod specs
// surface as FailedCreate events when the controller creates pods), and so do we.
import { type FieldError, GoValue, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setPodTemplateSpecDefaults } from '../core/pod-defaults.ts';
import { setPvcSpecDefaults } from '../core/pvc-defaults.ts';
import { type Obj, arrAt, child, clone, isObj, numAt, objAt, objs, semanticEqual } from '../validation/json.ts';
import { isDNS1123Label, nameIsDNSLabel } from '../validation/names.ts';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import { validateWorkloadSelector } from '../validation/selector.ts';
import { goIntOrString } from '../validation/go-value.ts';
import { intOrPercentValue, notMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { EXPAND_CLAIMS_ANNOTATION, claimTemplatesOnlyGrew, optedIn } from './statefulset-opt-in.ts';

export interface StatefulSetOptions {
  /** MaxUnavailableStatefulSet gate (beta, on by default in 1.35): default rollingUpdate.maxUnavailable to 1. */
  maxUnavailable?: boolean;
}

export function setStatefulSetDefaults(obj: KubeObject, opts: StatefulSetOptions = {}): void {
  const spec = child(obj as Obj, 'spec');
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    // Only a defaulted type brings a defaulted rollingUpdate; an explicit RollingUpdate stays nil.
    if (!isObj(strategy.rollingUpdate)) strategy.rollingUpdate = {};
  }
  const ru = objAt(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && ru) {
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
    if ((opts.maxUnavailable ?? true) && (ru.maxUnavailable === undefined || ru.maxUnavailable === null)) ru.maxUnavailable = 1;
  }
  const policy = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!policy.whenDeleted) policy.whenDeleted = 'Retain';
  if (!policy.whenScaled) policy.whenScaled = 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  setPodTemplateSpecDefaults(child(spec, 'template'));
  for (const claim of objs(arrAt(spec, 'volumeClaimTemplates'))) {
    // The apps/v1 conversion stamps the embedded claims' TypeMeta; claim defaulting fills the rest.
    if (!claim.apiVersion) claim.apiVersion = 'v1';
    if (!claim.kind) claim.kind = 'PersistentVolumeClaim';
    setPvcSpecDefaults(child(claim, 'spec'));
    const status = child(claim, 'status');
    if (!status.phase) status.phase = 'Pending';
  }
}

/** Go's %#v of the internal update strategy types; a set pointer prints as an address upstream. */
const POINTER = '(0xc000000000)';
function goRollingUpdate(ru: Obj): GoValue {
  const mu = ru.maxUnavailable === undefined || ru.maxUnavailable === null ? '(*intstr.IntOrString)(nil)' : `(*intstr.IntOrString)${POINTER}`;
  return new GoValue(`apps.RollingUpdateStatefulSetStrategy{Partition:${numAt(ru, 'partition') ?? 0}, MaxUnavailable:${mu}}`);
}
function goUpdateStrategy(strategy: Obj): GoValue {
  const ru = isObj(strategy.rollingUpdate) ? `(*apps.RollingUpdateStatefulSetStrategy)${POINTER}` : '(*apps.RollingUpdateStatefulSetStrategy)(nil)';
  return new GoValue(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(strategy.type ?? ''))}, RollingUpdate:${ru}}`);
}

function validateRetentionPolicyType(v: unknown, path: string): FieldError[] {
  return v === 'Retain' || v === 'Delete' ? [] : [notSupported(path, v ?? '', ['Retain', 'Delete'])];
}

export function validateStatefulSetSpec(spec: Obj, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(required(`${path}.podManagementPolicy`));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalidValue(`${path}.podManagementPolicy`, pmp, "must be 'OrderedReady' or 'Parallel'"));

  const strategy = objAt(spec, 'updateStrategy') ?? {};
  const ru = strategy.rollingUpdate;
  switch (strategy.type) {
    case undefined:
    case null:
    case '':
      errs.push(required(`${path}.updateStrategy`));
      break;
    case 'OnDelete':
      if (isObj(ru)) errs.push(invalidValue(`${path}.updateStrategy.rollingUpdate`, goRollingUpdate(ru), "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObj(ru)) {
        const p = `${path}.updateStrategy.rollingUpdate`;
        errs.push(...validateNonnegative(ru.partition, `${p}.partition`));
        if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
          if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalidValue(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'cannot be 0'));
          errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
        }
      }
      break;
    default:
      errs.push(invalidValue(`${path}.updateStrategy`, goUpdateStrategy(strategy), "must be 'RollingUpdate' or 'OnDelete'"));
  }

  const policy = objAt(spec, 'persistentVolumeClaimRetentionPolicy');
  if (policy) {
    errs.push(...validateRetentionPolicyType(policy.whenDeleted, `${path}.persistentVolumeClaimRetentionPolicy.whenDeleted`));
    errs.push(...validateRetentionPolicyType(policy.whenScaled, `${path}.persistentVolumeClaimRetentionPolicy.whenScaled`));
  }
  errs.push(...validateNonnegative(spec.replicas, `${path}.replicas`));
  errs.push(...validateNonnegative(spec.minReadySeconds, `${path}.minReadySeconds`));
  // A negative limit used to crash the controller; recent releases reject it.
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  // Pods use serviceName as their DNS subdomain, so recent releases require a DNS label.
  if (typeof spec.serviceName === 'string' && spec.serviceName) {
    for (const m of isDNS1123Label(spec.serviceName)) errs.push(invalidValue(`${path}.serviceName`, spec.serviceName, m));
  }
  const ordinals = objAt(spec, 'ordinals');
  if (ordinals) errs.push(...validateNonnegative(numAt(ordinals, 'start') ?? 0, `${path}.ordinals.start`));

  errs.push(...validateWorkloadSelector(spec, path, 'statefulset'));
  const template = objAt(spec, 'template');
  const tmeta = objAt(template, 'metadata');
  errs.push(...validateLabels(tmeta?.labels, `${path}.template.labels`));
  errs.push(...validateAnnotations(tmeta?.annotations, `${path}.template.annotations`));

  const podSpec = objAt(template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(`${path}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(`${path}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

export function validateStatefulSet(obj: KubeObject): FieldError[] {
  return [
    ...validateObjectMeta(obj.metadata, { nameFn: nameIsDNSLabel, namespaced: true }),
    ...validateStatefulSetSpec(isObj(obj.spec) ? obj.spec : {}),
  ];
}

// revisionHistoryLimit became mutable in 1.33 (kubernetes#130263), and the message names it.
const UPDATABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy', 'revisionHistoryLimit'];

/**
 * Update validation: the new spec is valid, and only the updatable spec fields changed. Beyond
 * upstream, a set annotated statefulset.k8ts.io/expand-claims: "true" (on the new object) may
 * also raise its claim templates' storage requests; any other template change, or a decrease,
 * gets upstream's message.
 */
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateStatefulSetSpec(isObj(obj.spec) ? obj.spec : {})];
  const next: Obj = clone(isObj(obj.spec) ? obj.spec : {});
  const prev: Obj = isObj(old.spec) ? old.spec : {};
  const updatable = optedIn(obj, EXPAND_CLAIMS_ANNOTATION) && claimTemplatesOnlyGrew(next.volumeClaimTemplates, prev.volumeClaimTemplates) ? [...UPDATABLE, 'volumeClaimTemplates'] : UPDATABLE;
  for (const f of updatable) {
    if (prev[f] === undefined) delete next[f];
    else next[f] = prev[f];
  }
  if (!semanticEqual(next, prev)) {
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const s = isObj(obj.status) ? obj.status : {};
  const n = (k: string) => numAt(s, k) ?? 0;
  for (const k of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) {
    errs.push(...validateNonnegative(s[k], `status.${k}`));
  }
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) {
    if (n(k) > n('replicas')) errs.push(invalidValue(`status.${k}`, n(k), 'cannot be greater than status.replicas'));
  }
  if (n('availableReplicas') > n('readyReplicas')) errs.push(invalidValue('status.availableReplicas', n('availableReplicas'), 'cannot be greater than status.readyReplicas'));
  errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  errs.push(...collisionCountNotDecremented(obj, old));
  return errs;
}

/** `status.collisionCount: Invalid value: N: cannot be decremented` (apivalidation.IsDecremented). */
export function collisionCountNotDecremented(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = numAt(obj.status, 'collisionCount');
  const prev = numAt(old.status, 'collisionCount');
  if (prev === undefined) return [];
  if (next === undefined || next < prev) return [invalidValue('status.collisionCount', next ?? 0, 'cannot be decremented')];
  return [];
}
