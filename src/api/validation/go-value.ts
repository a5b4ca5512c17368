// Go's %#v rendering of the few typed values upstream puts in field errors, so messages read as a
// real cluster's: `map[string]string{"app":"web"}`, `intstr.IntOrString{Type:1, IntVal:0,
// StrVal:"0%"}`, `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}` (fmt sorts map keys).
import { GoValue } from '../meta/field-errors.ts';
import { isObj } from './json.ts';

const q = (s: unknown) => JSON.stringify(String(s ?? ''));

function stringMapText(m: unknown): string {
  if (!isObj(m)) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${q(k)}:${q(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function stringSliceText(v: unknown): string {
  return Array.isArray(v) ? `[]string{${v.map(q).join(', ')}}` : '[]string(nil)';
}

/** A `map[string]string` (labels, annotations); absent is Go's nil map. */
export function goStringMap(m: unknown): GoValue {
  return new GoValue(stringMapText(m));
}

/** An `intstr.IntOrString` value: numbers are Type 0, strings Type 1. */
export function goIntOrString(v: unknown): GoValue {
  if (typeof v === 'number') return new GoValue(`intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`);
  return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${q(v)}}`);
}

/** A `metav1.LabelSelector` value. */
export function goLabelSelector(sel: unknown): GoValue {
  const s = isObj(sel) ? sel : {};
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => {
          const r = isObj(e) ? e : {};
          return `v1.LabelSelectorRequirement{Key:${q(r.key)}, Operator:${q(r.operator)}, Values:${stringSliceText(r.values)}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${stringMapText(s.matchLabels)}, MatchExpressions:${exprs}}`);
}
