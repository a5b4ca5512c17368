// Namespace and Node rules: pkg/apis/core/v1/defaults.go (SetDefaults_Namespace label,
// _NamespaceStatus, _NodeStatus), pkg/apis/core/validation/validation.go (ValidateNamespace,
// ValidateNode{,Update}, taints) and pkg/registry/core/{namespace,node}/strategy.go.
import { type FieldError, duplicate, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, arrAt, child, clone, isObj, objAt, objs, semanticEqual } from '../validation/json.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { validateTaintEffect } from './scheduling.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Every namespace carries a label naming itself (set on every write). */
export function setNamespaceDefaults(ns: KubeObject): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name };
  const status = child(ns as Obj, 'status');
  if (!status.phase) status.phase = 'Active';
}

/** Namespace PrepareForCreate: status Active, and the `kubernetes` finalizer in spec.finalizers. */
export function prepareNamespaceForCreate(ns: KubeObject): void {
  ns.status = { phase: 'Active' };
  const spec = child(ns as Obj, 'spec');
  const finalizers = arrAt(spec, 'finalizers').map(String);
  if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
  spec.finalizers = finalizers;
}

/** Namespace PrepareForUpdate: spec.finalizers and status only change through their subresources. */
export function prepareNamespaceForUpdate(ns: KubeObject, old: KubeObject): void {
  const spec = child(ns as Obj, 'spec');
  const prev = objAt(old, 'spec');
  if (prev?.finalizers === undefined) delete spec.finalizers;
  else spec.finalizers = clone(prev.finalizers);
  if (old.status === undefined) delete ns.status;
  else ns.status = clone(old.status);
}

export function validateNamespaceSpec(ns: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arrAt(objAt(ns, 'spec'), 'finalizers').forEach((f) => {
    const name = String(f);
    for (const m of isQualifiedName(name)) errs.push(invalidValue('spec.finalizers', name, m));
    if (!name.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(name)) {
      errs.push(invalidValue('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function setNodeDefaults(node: KubeObject): void {
  const status = objAt(node, 'status');
  const capacity = objAt(status, 'capacity');
  if (status && capacity && status.allocatable === undefined) status.allocatable = clone(capacity);
}

function validateTaints(taints: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objs(taints).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = String(t.key ?? '');
    for (const m of isQualifiedName(key)) errs.push(invalidValue(`${p}.key`, key, m));
    if (typeof t.value === 'string') for (const m of isValidLabelValue(t.value)) errs.push(invalidValue(`${p}.value`, t.value, m));
    errs.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const k = `${key}/${String(t.effect ?? '')}`;
    if (seen.has(k)) errs.push(duplicate(p, t));
    seen.add(k);
  });
  return errs;
}

function isCIDR(v: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(v);
  if (!m) return false;
  const ip = m[1]!;
  const bits = Number(m[2]);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return bits <= 32 && ip.split('.').every((o) => Number(o) <= 255);
  return ip.includes(':') && bits <= 128;
}

export function validateNodeSpec(node: KubeObject): FieldError[] {
  const spec: Obj = isObj(node.spec) ? node.spec : {};
  const errs = validateTaints(arrAt(spec, 'taints'), 'spec.taints');
  const cidrs = arrAt(spec, 'podCIDRs').map(String);
  cidrs.forEach((c, i) => {
    if (!isCIDR(c)) errs.push(invalidValue(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (typeof spec.podCIDR === 'string' && spec.podCIDR && cidrs.length && cidrs[0] !== spec.podCIDR) {
    errs.push(invalidValue('spec.podCIDRs', cidrs, 'first value must match `podCIDR`'));
  }
  if (cidrs.length > 2) errs.push(invalidValue('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  return errs;
}

/** Node updates: podCIDR(s) and providerID may be set once, never changed. */
export function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(node.spec) ? node.spec : {};
  const prev: Obj = isObj(old.spec) ? old.spec : {};
  if (arrAt(prev, 'podCIDRs').length && !semanticEqual(spec.podCIDRs, prev.podCIDRs)) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (prev.providerID && spec.providerID !== prev.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  if (prev.configSource === undefined && spec.configSource !== undefined) errs.push(required('spec.configSource'));
  return errs;
}
