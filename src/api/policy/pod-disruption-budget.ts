// PodDisruptionBudget validation (pkg/apis/policy/validation/validation.go
// ValidatePodDisruptionBudgetSpec).
import { type FieldError, invalidValue, notSupported } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { isObj } from '../validation/json.ts';
import { notMoreThan100Percent, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { validateLabelSelector } from '../validation/selector.ts';

const set = (v: unknown) => v !== undefined && v !== null;

export function validatePodDisruptionBudgetSpec(pdb: KubeObject): FieldError[] {
  const spec = isObj(pdb.spec) ? pdb.spec : {};
  const errs: FieldError[] = [];
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!set(spec[k])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...notMoreThan100Percent(spec[k], `spec.${k}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (set(policy) && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}
