// IntOrString checks shared by rolling-update strategies (pkg/apis/apps/validation
// ValidatePositiveIntOrPercent, IsNotMoreThan100Percent, getIntOrPercentValue).
import { type FieldError, invalidValue } from '../meta/field-errors.ts';
import { goIntOrString } from './go-value.ts';
import { isValidPercent } from './names.ts';

export const IS_NEGATIVE = 'must be greater than or equal to 0';

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(path, value, IS_NEGATIVE)] : [];
}

/** ValidatePositiveIntOrPercent: a valid percent string, or an integer ≥ 0 (reported as an int64). */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidValue(path, goIntOrString(v), m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  if (v === undefined || v === null) return [];
  return [invalidValue(path, v, "must be an integer or percentage (e.g '5%')")];
}

function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length) return undefined;
  return Number(v.slice(0, -1));
}

/** The number an int-or-percent denotes before scaling (`25%` → 25, `3` → 3). */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalidValue(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}
