// Field selectors (`?fieldSelector=metadata.name=web,spec.nodeName!=n1`): only `=`, `==` and `!=`
// on the fields each resource supports, as k8s.io/apimachinery/pkg/fields and each registry's
// GetAttrs/field label conversion funcs.
import type { KubeObject } from './types.ts';

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export class FieldSelectorError extends Error {}

export function parseFieldSelector(input: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (!input.trim()) return out;
  for (const raw of splitTerms(input)) {
    const term = raw.trim();
    let m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    const [, field, op, value] = m;
    out.push({ field: field!.trim(), value: unescape(value!.trim()), negate: op === '!=' });
    m = null;
  }
  return out;
}

// Values may contain escaped commas and equals signs (`\,`, `\=`).
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

type FieldGetter = (obj: KubeObject) => string | undefined;

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const path =
  (...keys: string[]): FieldGetter =>
  (obj) => {
    let cur: unknown = obj;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return str(cur);
  };

const COMMON: Record<string, FieldGetter> = {
  'metadata.name': path('metadata', 'name'),
  'metadata.namespace': path('metadata', 'namespace'),
};

// Per-kind selectable fields (upstream's *ToSelectableFields / AddFieldLabelConversionFunc).
const BY_KIND: Record<string, Record<string, FieldGetter>> = {
  'v1/Pod': {
    'spec.nodeName': (o) => path('spec', 'nodeName')(o) ?? '',
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'spec.hostNetwork': (o) => String(Boolean((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork)),
    'status.phase': path('status', 'phase'),
    'status.podIP': (o) => path('status', 'podIP')(o) ?? '',
    'status.nominatedNodeName': (o) => path('status', 'nominatedNodeName')(o) ?? '',
  },
  'v1/Event': {
    'involvedObject.kind': path('involvedObject', 'kind'),
    'involvedObject.namespace': path('involvedObject', 'namespace'),
    'involvedObject.name': path('involvedObject', 'name'),
    'involvedObject.uid': path('involvedObject', 'uid'),
    'involvedObject.apiVersion': path('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': path('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': path('involvedObject', 'fieldPath'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source', 'component'),
    type: path('type'),
  },
  'v1/Secret': { type: path('type') },
  'v1/Namespace': { 'status.phase': path('status', 'phase') },
  'v1/Node': { 'spec.unschedulable': (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)) },
  'v1/ReplicationController': { 'status.replicas': path('status', 'replicas') },
  'apps/ReplicaSet': { 'status.replicas': path('status', 'replicas') },
  'batch/Job': { 'status.successful': path('status', 'succeeded') },
  'v1/PersistentVolume': { 'spec.storageClassName': path('spec', 'storageClassName') },
  'v1/PersistentVolumeClaim': { 'spec.storageClassName': path('spec', 'storageClassName'), 'spec.volumeName': path('spec', 'volumeName') },
  'events.k8s.io/Event': {
    'regarding.kind': path('regarding', 'kind'),
    'regarding.namespace': path('regarding', 'namespace'),
    'regarding.name': path('regarding', 'name'),
    'regarding.uid': path('regarding', 'uid'),
    reason: path('reason'),
    type: path('type'),
  },
};

/**
 * Compiles requirements for one kind into a predicate; throws FieldSelectorError naming an
 * unsupported field, with upstream's message (`field label not supported: spec.foo`).
 */
export function compileFieldSelector(reqs: FieldRequirement[], group: string, kind: string): (obj: KubeObject) => boolean {
  if (reqs.length === 0) return () => true;
  const table = BY_KIND[`${group || 'v1'}/${kind}`] ?? {};
  const checks = reqs.map((r) => {
    const get = COMMON[r.field] ?? table[r.field];
    if (!get) throw new FieldSelectorError(`field label not supported: ${r.field}`);
    return (obj: KubeObject) => ((get(obj) ?? '') === r.value) !== r.negate;
  });
  return (obj) => checks.every((c) => c(obj));
}

/** The `metadata.name=X` value when the selector pins one name (lets list and watch narrow to a key). */
export function pinnedName(reqs: FieldRequirement[]): string | undefined {
  const r = reqs.find((x) => x.field === 'metadata.name' && !x.negate);
  return r?.value;
}
