// ReplicationController rules: pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController and
// pkg/apis/core/validation/validation.go ValidateReplicationControllerSpec.
import { goStringMap } from '../validation/go-value.ts';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, child, isObj, objAt, stringMap } from '../validation/json.ts';
import { validateNonnegative } from '../validation/int-or-percent.ts';
import { validateLabels } from '../validation/object-meta.ts';
import { setPodTemplateSpecDefaults } from './pod-defaults.ts';
import { validatePodTemplateSpec } from './pod-spec.ts';

/** The selector and the object's labels default to the template's labels; replicas to 1. */
export function setReplicationControllerDefaults(rc: KubeObject): void {
  const spec = child(rc as Obj, 'spec');
  const template = objAt(spec, 'template');
  const labels = objAt(objAt(template, 'metadata'), 'labels');
  if (labels) {
    if (Object.keys(stringMap(spec.selector)).length === 0) spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...(labels as Record<string, string>) };
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (template) setPodTemplateSpecDefaults(template);
}

export function validateReplicationControllerSpec(rc: KubeObject): FieldError[] {
  const spec: Obj = isObj(rc.spec) ? rc.spec : {};
  const errs = [...validateNonnegative(spec.replicas, 'spec.replicas'), ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = stringMap(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  const template = objAt(spec, 'template');
  if (!template) return [...errs, required('spec.template')];
  const labels = stringMap(objAt(objAt(template, 'metadata'), 'labels'));
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalidValue('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const podSpec = objAt(template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}
