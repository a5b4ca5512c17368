// DaemonSet rules: pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet,
// pkg/apis/apps/validation/validation.go ValidateDaemonSet{,Spec,UpdateStrategy,Status} and the
// template-generation annotation kept by pkg/registry/apps/daemonset/strategy.go.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setPodTemplateSpecDefaults } from '../core/pod-defaults.ts';
import { validatePodTemplateSpec } from '../core/pod-spec.ts';
import { type Obj, child, isObj, objAt, semanticEqual } from '../validation/json.ts';
import { goIntOrString, goStringMap } from '../validation/go-value.ts';
import { intOrPercentValue, notMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { selectorConvertible, selectorIsEmpty, selectorMatches, validateLabelSelector } from '../validation/selector.ts';
import { collisionCountNotDecremented } from './statefulset.ts';

import { TEMPLATE_GENERATION_ANNOTATION } from './well-known.ts';

export { TEMPLATE_GENERATION_ANNOTATION };

const specOf = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

export function setDaemonSetDefaults(obj: KubeObject): void {
  const spec = child(obj as Obj, 'spec');
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  setPodTemplateSpecDefaults(child(spec, 'template'));
}

/** Create: template generation 1. Update: +1 whenever spec.template changes. */
export function setTemplateGeneration(obj: KubeObject, old?: KubeObject): void {
  const annotations = (obj.metadata.annotations ??= {});
  if (!old) {
    annotations[TEMPLATE_GENERATION_ANNOTATION] = '1';
    return;
  }
  const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? '1') || 1;
  const changed = !semanticEqual(specOf(obj).template, specOf(old).template);
  annotations[TEMPLATE_GENERATION_ANNOTATION] = String(changed ? prev + 1 : prev);
}

function validateUpdateStrategy(strategy: Obj, path: string): FieldError[] {
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = objAt(strategy, 'rollingUpdate');
      if (!ru) return [required(`${path}.rollingUpdate`)];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
        ...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
      ];
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalidValue(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSetSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  // A nil selector selects nothing, so it fails the template match rather than "Required".
  const labels = objAt(objAt(objAt(spec, 'template'), 'metadata'), 'labels');
  if (selectorConvertible(spec.selector) && (!isObj(spec.selector) || !selectorMatches(spec.selector, labels))) {
    errs.push(invalidValue('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  if (isObj(spec.selector) && selectorIsEmpty(spec.selector)) errs.push(invalidValue('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const podSpec = objAt(objAt(spec, 'template'), 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(objAt(spec, 'updateStrategy') ?? {}, 'spec.updateStrategy'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateDaemonSetStatus(obj: KubeObject, old: KubeObject): FieldError[] {
  const s = isObj(obj.status) ? obj.status : {};
  const errs: FieldError[] = [];
  for (const k of [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'observedGeneration',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
    'collisionCount',
  ]) {
    errs.push(...validateNonnegative(s[k], `status.${k}`));
  }
  errs.push(...collisionCountNotDecremented(obj, old));
  return errs;
}
