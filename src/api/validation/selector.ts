// LabelSelector validation (k8s.io/apimachinery/pkg/apis/meta/v1/validation ValidateLabelSelector)
// and the LabelSelectorAsSelector conversion check workload validation relies on.
import { type FieldError, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import { type LabelSelector, fromLabelSelector, matches } from '../meta/labels.ts';
import { arrAt, isObj, objAt, stringMap } from './json.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { goLabelSelector, goStringMap } from './go-value.ts';
import { validateLabelName, validateLabels } from './object-meta.ts';

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(sel)) return errs;
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  arrAt(sel, 'matchExpressions').forEach((raw, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr = isObj(raw) ? raw : {};
    const values = Array.isArray(expr.values) ? expr.values : [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(String(expr.key ?? ''), `${p}.key`));
    // Strict mode (workloads): every value must be a valid label value.
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(String(v))) errs.push(invalidValue(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** Whether LabelSelectorAsSelector would fail for this selector (bad operator, key or value). */
export function selectorConvertible(sel: unknown): boolean {
  if (sel === undefined || sel === null) return true;
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(stringMap(sel.matchLabels))) {
    if (isQualifiedName(k).length || isValidLabelValue(v).length) return false;
  }
  for (const raw of arrAt(sel, 'matchExpressions')) {
    if (!isObj(raw)) return false;
    if (isQualifiedName(String(raw.key ?? '')).length) return false;
    const values = Array.isArray(raw.values) ? raw.values : [];
    switch (raw.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return false;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return false;
        break;
      default:
        return false;
    }
    if (values.some((v) => isValidLabelValue(String(v)).length)) return false;
  }
  return true;
}

export function selectorIsEmpty(sel: unknown): boolean {
  if (!isObj(sel)) return true;
  return Object.keys(stringMap(sel.matchLabels)).length + arrAt(sel, 'matchExpressions').length === 0;
}

/** Does a structured selector match these labels? An empty selector matches everything. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  if (!isObj(sel)) return true;
  return matches(fromLabelSelector(sel as LabelSelector), stringMap(labels));
}

/**
 * The check workload validations share: selector required, valid, non-empty, and matching the
 * template's labels (`selector` does not match template `labels`). A missing selector converts
 * to upstream's "nothing" selector, which matches no labels, so it also fails the template
 * match, as upstream reports both errors.
 */
export function validateWorkloadSelector(
  spec: unknown,
  path: string,
  kindWord: string,
  opts: { invalidDetail?: string; allowEmpty?: boolean } = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const sel = objAt(spec, 'selector');
  if (!sel) {
    errs.push(required(`${path}.selector`));
  } else {
    errs.push(...validateLabelSelector(sel, `${path}.selector`));
    if (!opts.allowEmpty && selectorIsEmpty(sel)) errs.push(invalidValue(`${path}.selector`, goLabelSelector(sel), `empty selector is invalid for ${kindWord}`));
  }
  const labels = objAt(objAt(objAt(spec, 'template'), 'metadata'), 'labels');
  const mismatch = () => invalidValue(`${path}.template.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`');
  if (!selectorConvertible(sel)) {
    errs.push(invalidValue(`${path}.selector`, goLabelSelector(sel), opts.invalidDetail ?? ''));
  } else if (!sel) {
    errs.push(mismatch());
  } else if (!selectorIsEmpty(sel) && !selectorMatches(sel, labels)) {
    errs.push(mismatch());
  }
  return errs;
}
