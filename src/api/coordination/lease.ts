// Lease validation (pkg/apis/coordination/validation/validation.go ValidateLeaseSpec).
import { type FieldError, invalidValue } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { isObj } from '../validation/json.ts';
import { validateNonnegative } from '../validation/int-or-percent.ts';

export function validateLeaseSpec(lease: KubeObject): FieldError[] {
  const spec = isObj(lease.spec) ? lease.spec : {};
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...validateNonnegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}
