// Message definitions for the Kubernetes protobuf wire form, parsed once from the compact field
// tables in ./tables. Field numbers mirror upstream's generated.proto files (k8s.io/api,
// k8s.io/apimachinery); JSON names and emptiness rules mirror the Go struct tags, so a decoded
// object matches what the same Go value would marshal to as JSON.
//
// Table syntax, one message per entry, fields separated by `;`:
//   <number> <jsonName|..>[flag] [type][flag]
// - type: string (default), int32, int64, bool, bytes, double, or a message name; `[]T` is a
//   repeated field, `map[T]` a map<string, T>.
// - `..` instead of a name: a Go embedded struct whose fields JSON inlines into the parent (proto
//   still nests it, e.g. Volume.volumeSource, Probe.handler).
// - flag `?`: Go pointer; present on the wire means set, even when zero (replicas: 0).
// - flag `!`: Go field without omitempty; JSON always carries it, zero value included.
// - no flag: omitempty value field; Go writes zeros to protobuf too, and JSON drops them.
import { CORE_TABLES } from './tables/core.ts';
import { POD_TABLES } from './tables/core-pod.ts';
import { POD_STATUS_TABLES } from './tables/core-pod-status.ts';
import { VOLUME_TABLES } from './tables/core-volumes.ts';
import { GROUP_TABLES } from './tables/groups.ts';
import { META_TABLES } from './tables/meta.ts';
import { WORKLOAD_TABLES } from './tables/workloads.ts';

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';
const SCALARS: ReadonlySet<string> = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double']);

/** Wrapper messages whose JSON form is a single value rather than an object. */
export type SpecialType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'Raw';
export const SPECIAL_TYPES: ReadonlySet<string> = new Set(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'Raw']);

export interface FieldDef {
  num: number;
  /** JSON name; null for an inlined embedded struct. */
  json: string | null;
  /** A ScalarType or a message name. */
  type: string;
  scalar: boolean;
  repeated: boolean;
  /** map<string, type>; the wire form is repeated {1: key, 2: value} entries. */
  map: boolean;
  presence: 'omitempty' | 'pointer' | 'always';
}

export interface MessageDef {
  name: string;
  /** In Go struct order, which is the JSON field order. */
  fields: FieldDef[];
  byNum: Map<number, FieldDef>;
}

function parseField(message: string, text: string): FieldDef {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3) throw new Error(`bad field "${text}" in ${message}`);
  const num = Number(parts[0]);
  let name = parts[1]!;
  let type = parts[2] ?? 'string';
  let presence: FieldDef['presence'] = 'omitempty';
  const flagged = parts.length === 3 ? type : name;
  const flag = flagged.at(-1);
  if (flag === '?' || flag === '!') {
    presence = flag === '?' ? 'pointer' : 'always';
    if (parts.length === 3) type = type.slice(0, -1);
    else name = name.slice(0, -1);
  }
  let repeated = false;
  let map = false;
  if (type.startsWith('[]')) {
    repeated = true;
    type = type.slice(2);
  } else if (type.startsWith('map[') && type.endsWith(']')) {
    map = true;
    type = type.slice(4, -1);
  }
  if (!Number.isInteger(num) || num <= 0) throw new Error(`bad field number in ${message}: "${text}"`);
  return { num, json: name === '..' ? null : name, type, scalar: SCALARS.has(type), repeated, map, presence };
}

function buildRegistry(tables: Record<string, string>[]): Map<string, MessageDef> {
  const registry = new Map<string, MessageDef>();
  for (const table of tables) {
    for (const [name, body] of Object.entries(table)) {
      if (registry.has(name)) throw new Error(`message ${name} is defined twice`);
      const fields = body.split(';').filter((t) => t.trim() !== '').map((t) => parseField(name, t));
      const byNum = new Map(fields.map((f) => [f.num, f]));
      if (byNum.size !== fields.length) throw new Error(`duplicate field number in ${name}`);
      registry.set(name, { name, fields, byNum });
    }
  }
  for (const def of registry.values()) {
    for (const f of def.fields) {
      if (!f.scalar && !registry.has(f.type)) throw new Error(`${def.name}.${f.json ?? '..'}: unknown type ${f.type}`);
      if (f.json === null && (f.scalar || f.repeated || f.map)) throw new Error(`${def.name}: inline field must be a message`);
    }
  }
  return registry;
}

export const MESSAGES: ReadonlyMap<string, MessageDef> = buildRegistry([
  META_TABLES,
  CORE_TABLES,
  POD_TABLES,
  POD_STATUS_TABLES,
  VOLUME_TABLES,
  WORKLOAD_TABLES,
  GROUP_TABLES,
]);

export function messageDef(name: string): MessageDef {
  const def = MESSAGES.get(name);
  if (!def) throw new Error(`no protobuf message ${name}`);
  return def;
}

/** Top-level kinds decodable per apiVersion; each kind's message has the kind's name. */
const KINDS_BY_VERSION: Record<string, string[]> = {
  v1: [
    'Binding', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'PersistentVolumeClaim',
    'Pod', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount',
  ],
  'apps/v1': ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'batch/v1': ['CronJob', 'Job'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'autoscaling/v1': ['HorizontalPodAutoscaler', 'Scale'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenRequest'],
  'authorization.k8s.io/v1': ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  'coordination.k8s.io/v1': ['Lease'],
};

/**
 * Options kinds that upstream registers into every group version (AddToGroupVersion), so a typed
 * client sends them under its own apiVersion: DeleteOptions arrives as `v1`, `apps/v1`, ….
 */
const KINDS_IN_EVERY_VERSION: ReadonlySet<string> = new Set(['DeleteOptions']);

/** The message for a top-level kind, or undefined when k8ts cannot decode it from protobuf. */
export function messageForKind(apiVersion: string, kind: string): MessageDef | undefined {
  if (KINDS_IN_EVERY_VERSION.has(kind) || KINDS_BY_VERSION[apiVersion]?.includes(kind)) return MESSAGES.get(kind);
  return undefined;
}

/** Every decodable `apiVersion/kind`, for messages and tests. */
export function supportedKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KINDS_BY_VERSION).flatMap(([apiVersion, kinds]) => kinds.map((kind) => ({ apiVersion, kind })));
}
