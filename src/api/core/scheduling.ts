// Scheduling-related PodSpec validation from pkg/apis/core/validation/validation.go:
// ValidateTolerations, validateOnlyAddedTolerations, validateAffinity (node, pod and
// pod-anti affinity), ValidateNodeSelector(Requirement), validateTopologySelectorTerm.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import { type Obj, arrAt, clone, isObj, objAt, objs, semanticEqual } from '../validation/json.ts';
import { isDNS1123Label, isValidLabelValue } from '../validation/names.ts';
import { validateLabelName, validateLabels } from '../validation/object-meta.ts';
import { validateLabelSelector } from '../validation/selector.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): FieldError[] {
  if (!effect) return allowEmpty ? [] : [required(path)];
  return TAINT_EFFECTS.includes(String(effect)) ? [] : [notSupported(path, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(tolerations) ? tolerations : []).forEach((raw, i) => {
    const t: Obj = isObj(raw) ? raw : {};
    const p = `${path}[${i}]`;
    const key = typeof t.key === 'string' ? t.key : '';
    const operator = typeof t.operator === 'string' ? t.operator : '';
    const value = typeof t.value === 'string' ? t.value : '';
    if (key) errs.push(...validateLabelName(key, `${p}.key`));
    if (!key && operator !== 'Exists') {
      errs.push(invalidValue(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalidValue(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case '':
      case 'Equal': {
        const msgs = isValidLabelValue(value);
        if (msgs.length) errs.push(invalidValue(`${p}.operator`, value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (value) errs.push(invalidValue(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, `${p}.effect`));
  });
  return errs;
}

/** Pod updates may add tolerations (or change tolerationSeconds) but never drop or edit one. */
export function validateOnlyAddedTolerations(next: unknown, prev: unknown, path: string): FieldError[] {
  const nextList = objs(Array.isArray(next) ? next : []);
  for (const old of objs(Array.isArray(prev) ? prev : [])) {
    const found = nextList.some((n) => {
      const o = clone(old);
      if (n.tolerationSeconds === undefined) delete o.tolerationSeconds;
      else o.tolerationSeconds = n.tolerationSeconds;
      return semanticEqual(o, n);
    });
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

export function validateNodeSelectorRequirement(req: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arrAt(req, 'values');
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalidValue(`${path}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(String(req.key ?? ''), `${path}.key`));
  return errs;
}

function validateFieldSelectorRequirement(req: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arrAt(req, 'values');
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if (values.length !== 1) errs.push(required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(invalidValue(`${path}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  if (req.key !== 'metadata.name') errs.push(invalidValue(`${path}.key`, req.key ?? '', 'not a valid field selector key'));
  return errs;
}

export function validateNodeSelectorTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(arrAt(term, 'matchExpressions')).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, `${path}.matchExpressions[${j}]`)));
  objs(arrAt(term, 'matchFields')).forEach((r, j) => errs.push(...validateFieldSelectorRequirement(r, `${path}.matchFields[${j}]`)));
  return errs;
}

export function validateNodeSelector(sel: Obj, path: string): FieldError[] {
  const terms = objs(arrAt(sel, 'nodeSelectorTerms'));
  if (terms.length === 0) return [required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, `${path}.nodeSelectorTerms[${i}]`));
}

function validateWeight(w: unknown, path: string): FieldError[] {
  return typeof w === 'number' && w >= 1 && w <= 100 ? [] : [invalidValue(path, w ?? 0, 'must be in the range 1-100')];
}

function validatePodAffinityTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term.labelSelector, `${path}.labelSelector`));
  errs.push(...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`));
  arrAt(term, 'namespaces').forEach((ns) => {
    for (const m of isDNS1123Label(String(ns))) errs.push(invalidValue(`${path}.namespace`, ns, m));
  });
  if (!term.topologyKey) errs.push(required(`${path}.topologyKey`, 'can not be empty'));
  else errs.push(...validateLabelName(String(term.topologyKey), `${path}.topologyKey`));
  return errs;
}

function validatePodAffinityKind(a: Obj | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  objs(arrAt(a, 'requiredDuringSchedulingIgnoredDuringExecution')).forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
  );
  objs(arrAt(a, 'preferredDuringSchedulingIgnoredDuringExecution')).forEach((t, i) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...validateWeight(t.weight, `${p}.weight`));
    errs.push(...validatePodAffinityTerm(objAt(t, 'podAffinityTerm') ?? {}, `${p}.podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  if (!isObj(affinity)) return [];
  const errs: FieldError[] = [];
  const na = objAt(affinity, 'nodeAffinity');
  if (na) {
    const req = objAt(na, 'requiredDuringSchedulingIgnoredDuringExecution');
    if (req) errs.push(...validateNodeSelector(req, `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`));
    objs(arrAt(na, 'preferredDuringSchedulingIgnoredDuringExecution')).forEach((t, i) => {
      const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errs.push(...validateWeight(t.weight, `${p}.weight`));
      errs.push(...validateNodeSelectorTerm(objAt(t, 'preference') ?? {}, `${p}.preference`));
    });
  }
  errs.push(...validatePodAffinityKind(objAt(affinity, 'podAffinity'), `${path}.podAffinity`));
  errs.push(...validatePodAffinityKind(objAt(affinity, 'podAntiAffinity'), `${path}.podAntiAffinity`));
  return errs;
}

export function validateNodeSelectorMap(sel: unknown, path: string): FieldError[] {
  return validateLabels(sel, path);
}
