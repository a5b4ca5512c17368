// Deployment, ReplicaSet and ControllerRevision rules: pkg/apis/apps/v1/defaults.go
// (SetDefaults_Deployment, _ReplicaSet) and pkg/apis/apps/validation/validation.go
// (ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidatePodTemplateSpecForReplicaSet,
// ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, status and ControllerRevision).
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setPodTemplateSpecDefaults } from '../core/pod-defaults.ts';
import { validatePodTemplateSpec } from '../core/pod-spec.ts';
import { type Obj, child, isObj, numAt, objAt } from '../validation/json.ts';
import { goIntOrString } from '../validation/go-value.ts';
import { intOrPercentValue, notMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { validateImmutableField } from '../validation/object-meta.ts';
import { validateWorkloadSelector } from '../validation/selector.ts';
import { collisionCountNotDecremented } from './statefulset.ts';

const specOf = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

export function setDeploymentDefaults(obj: KubeObject): void {
  const spec = child(obj as Obj, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = child(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  setPodTemplateSpecDefaults(child(spec, 'template'));
}

export function setReplicaSetDefaults(obj: KubeObject): void {
  const spec = child(obj as Obj, 'spec');
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  setPodTemplateSpecDefaults(child(spec, 'template'));
}

/** ValidatePodTemplateSpecForReplicaSet's template rules, after the selector checks. */
export function validateReplicatedTemplate(spec: Obj, path: string, kindForMessage: string): FieldError[] {
  const template = objAt(spec, 'template');
  if (!template) return [required(`${path}.template`)];
  const errs = validatePodTemplateSpec(template, `${path}.template`);
  const podSpec = objAt(template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(`${path}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(`${path}.template.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kindForMessage} is not Supported`));
  }
  return errs;
}

function validateDeploymentStrategy(strategy: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (strategy.type) {
    case 'Recreate':
      if (isObj(strategy.rollingUpdate)) errs.push(forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = objAt(strategy, 'rollingUpdate');
      if (!ru) {
        errs.push(required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      const p = `${path}.rollingUpdate`;
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidValue(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      break;
    }
    default:
      errs.push(notSupported(path, strategy, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = [...validateNonnegative(spec.replicas, 'spec.replicas')];
  errs.push(...validateWorkloadSelector(spec, 'spec', 'deployment', { invalidDetail: 'invalid label selector' }));
  errs.push(...validateReplicatedTemplate(spec, 'spec', 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(objAt(spec, 'strategy') ?? {}, 'spec.strategy'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...validateNonnegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (numAt(spec, 'minReadySeconds') ?? 0)) errs.push(invalidValue('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSetSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = [...validateNonnegative(spec.replicas, 'spec.replicas'), ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  // Upstream's ReplicaSet message says "deployment" too.
  errs.push(...validateWorkloadSelector(spec, 'spec', 'deployment', { invalidDetail: 'invalid label selector' }));
  errs.push(...validateReplicatedTemplate(spec, 'spec', 'ReplicaSet'));
  return errs;
}

/** apps/v1 forbids selector changes for Deployments, ReplicaSets and DaemonSets. */
export function validateSelectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateImmutableField(specOf(obj).selector, specOf(old).selector, 'spec.selector');
}

function replicaCounters(obj: KubeObject, keys: string[], readyKey = 'readyReplicas'): FieldError[] {
  const s = isObj(obj.status) ? obj.status : {};
  const n = (k: string) => numAt(s, k) ?? 0;
  const errs: FieldError[] = [];
  for (const k of ['observedGeneration', 'replicas', ...keys, 'collisionCount']) errs.push(...validateNonnegative(s[k], `status.${k}`));
  for (const k of keys) if (k !== 'unavailableReplicas' && n(k) > n('replicas')) errs.push(invalidValue(`status.${k}`, n(k), 'cannot be greater than status.replicas'));
  if (n('availableReplicas') > n(readyKey)) errs.push(invalidValue('status.availableReplicas', n('availableReplicas'), 'cannot be greater than readyReplicas'));
  return errs;
}

export function validateDeploymentStatus(obj: KubeObject, old: KubeObject): FieldError[] {
  return [...replicaCounters(obj, ['updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']), ...collisionCountNotDecremented(obj, old)];
}

export function validateReplicaSetStatus(obj: KubeObject): FieldError[] {
  return replicaCounters(obj, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']);
}

export function validateControllerRevision(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(obj.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateImmutableField(obj.data, old.data, 'data');
}
