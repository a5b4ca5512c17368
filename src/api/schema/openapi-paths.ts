// Path items and operations of a per-group-version OpenAPI v3 document, shaped like the ones
// kube-apiserver publishes at /openapi/v3/apis/<group>/<version> (k8s.io/apiserver
// pkg/endpoints/installer.go, pkg/endpoints/openapi). What the clients rely on (see
// /work/shared/specs/kubectl-surface.md 1.4): each kind's `patch` operation carries
// `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter; its requestBody lists
// the patch types the server accepts, and strategic merge patch only where the schemas carry the
// upstream merge keys.
import type { ResourceInfo, SubresourceInfo } from '../resources.ts';

type Obj = Record<string, unknown>;

export const SCHEMA_PREFIX = '#/components/schemas/';
const ref = (name: string) => ({ $ref: SCHEMA_PREFIX + name });

function query(name: string, description: string, type = 'string', extra: Obj = {}): Obj {
  return { name, in: 'query', description, schema: { type, uniqueItems: true, ...extra } };
}

// Parameter descriptions are our own summaries of upstream's semantics.
const P = {
  pretty: query('pretty', "If 'true', the output is pretty printed."),
  dryRun: query('dryRun', 'When present, the change is not persisted. The only valid value is All: every stage runs except storing.'),
  fieldManager: query('fieldManager', 'Name of the actor making the change; at most 128 printable characters. Required for apply patches.'),
  fieldValidation: query(
    'fieldValidation',
    'How to treat unknown or duplicate fields in the request body: Ignore drops them silently, Warn accepts the request and returns a warning for each, Strict rejects the request.',
  ),
  force: query('force', 'Apply only: take ownership of fields managed by other field managers instead of failing with a conflict.', 'boolean'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'Seconds to wait before the object is deleted; zero deletes immediately.', 'integer'),
  orphanDependents: query('orphanDependents', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.', 'boolean'),
  propagationPolicy: query('propagationPolicy', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'Watch only: ask for BOOKMARK events.', 'boolean'),
  continue: query('continue', 'Opaque token from a previous list response, to fetch the next page.'),
  fieldSelector: query('fieldSelector', 'Restricts the result to objects whose fields match.'),
  labelSelector: query('labelSelector', 'Restricts the result to objects whose labels match.'),
  limit: query('limit', 'Maximum number of items in one response; the rest is reachable through continue.', 'integer'),
  resourceVersion: query('resourceVersion', 'Which version of the data the request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'How resourceVersion applies to list calls: Exact or NotOlderThan.'),
  sendInitialEvents: query('sendInitialEvents', 'Watch only: start with synthetic events for the current state.', 'boolean'),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list or watch call.', 'integer'),
  watch: query('watch', 'Stream add, update and remove notifications instead of returning a list.', 'boolean'),
};

const pathParam = (name: string, description: string): Obj => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

const READ_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = ['application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];

function content(schemaName: string, types = READ_TYPES): Obj {
  return Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }]));
}

function responses(schemaName: string, codes: Record<string, string>): Obj {
  const out: Obj = {};
  for (const [code, description] of Object.entries(codes)) out[code] = { description, content: content(schemaName) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

export interface OperationTarget {
  info: ResourceInfo;
  /** GVK of the body the operations take and return (the subresource's kind for scale). */
  gvk: { group: string; version: string; kind: string };
  /** Component name of that kind's schema. */
  schema: string;
  subresource?: SubresourceInfo;
  /** Advertise application/strategic-merge-patch+json (only with faithful merge keys). */
  strategicMerge: boolean;
}

function camel(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `rbac.authorization.k8s.io` + v1 → `RbacAuthorizationV1`; core → `CoreV1` (upstream's operationId words). */
function gvWords(group: string, version: string): string {
  const g = group ? group.replace(/\.k8s\.io$/, '').split('.').map(camel).join('') : 'Core';
  return g + camel(version);
}

function tag(group: string, version: string): string {
  const words = gvWords(group, version).slice(0, -version.length);
  return `${words.charAt(0).toLowerCase()}${words.slice(1)}_${version}`;
}

function operation(t: OperationTarget, verb: string, action: string, summary: string, extra: Obj): Obj {
  const { info } = t;
  const scope = info.namespaced && !extra.allNamespaces ? 'Namespaced' : '';
  const suffix = (t.subresource ? camel(t.subresource.name) : '') + (extra.allNamespaces ? 'ForAllNamespaces' : '');
  const collection = action === 'deletecollection' ? 'Collection' : '';
  const { allNamespaces: _a, ...rest } = extra;
  return {
    tags: [tag(info.group, info.version)],
    description: summary,
    operationId: `${verb}${gvWords(info.group, info.version)}${collection}${scope}${info.kind}${suffix}`,
    ...rest,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': t.gvk,
  };
}

function patchBody(t: OperationTarget): Obj {
  const types = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
  if (t.strategicMerge) types.push('application/strategic-merge-patch+json');
  const patch = ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  return { content: Object.fromEntries(types.sort().map((ct) => [ct, { schema: patch }])), required: true };
}

const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const LIST_PARAMS = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_BODY = { content: content('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', ['*/*']) };

/** Path items for one resource: collection, item, all-namespaces list and status/scale-like subresources. */
export function resourcePaths(t: OperationTarget, subTargets: OperationTarget[], kindList: string | undefined): Record<string, Obj> {
  const { info } = t;
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const collection = info.namespaced ? `${root}/namespaces/{namespace}/${info.resource}` : `${root}/${info.resource}`;
  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${info.kind}`);
  const scoped = info.namespaced ? [nsParam, P.pretty] : [P.pretty];
  const verbs = new Set(info.verbs);
  const out: Record<string, Obj> = {};

  const coll: Obj = {};
  if (verbs.has('list') && kindList) {
    coll.get = operation(t, 'list', 'list', `list or watch objects of kind ${info.kind}`, {
      parameters: LIST_PARAMS,
      responses: { '200': { description: 'OK', content: content(kindList, [...READ_TYPES, ...WATCH_TYPES]) }, '401': { description: 'Unauthorized' } },
    });
  }
  if (verbs.has('create')) {
    coll.post = operation(t, 'create', 'post', `create a ${info.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: { content: content(t.schema, ['*/*']), required: true },
      responses: responses(t.schema, { '200': 'OK', '201': 'Created', '202': 'Accepted' }),
    });
  }
  if (verbs.has('deletecollection')) {
    coll.delete = operation(t, 'delete', 'deletecollection', `delete collection of ${info.kind}`, {
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks)],
      requestBody: DELETE_BODY,
      responses: responses('io.k8s.apimachinery.pkg.apis.meta.v1.Status', { '200': 'OK' }),
    });
  }
  if (Object.keys(coll).length) out[collection] = { ...coll, parameters: scoped };

  const item: Obj = {};
  if (verbs.has('get')) {
    item.get = operation(t, 'read', 'get', `read the specified ${info.kind}`, { responses: responses(t.schema, { '200': 'OK' }) });
  }
  if (verbs.has('update')) {
    item.put = operation(t, 'replace', 'put', `replace the specified ${info.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: { content: content(t.schema, ['*/*']), required: true },
      responses: responses(t.schema, { '200': 'OK', '201': 'Created' }),
    });
  }
  if (verbs.has('patch')) {
    item.patch = operation(t, 'patch', 'patch', `partially update the specified ${info.kind}`, {
      parameters: [...WRITE_PARAMS, P.force],
      requestBody: patchBody(t),
      responses: responses(t.schema, { '200': 'OK', '201': 'Created' }),
    });
  }
  if (verbs.has('delete')) {
    item.delete = operation(t, 'delete', 'delete', `delete a ${info.kind}`, {
      parameters: DELETE_PARAMS,
      requestBody: DELETE_BODY,
      responses: responses('io.k8s.apimachinery.pkg.apis.meta.v1.Status', { '200': 'OK', '202': 'Accepted' }),
    });
  }
  const itemPath = `${collection}/{name}`;
  if (Object.keys(item).length) out[itemPath] = { ...item, parameters: [nameParam, ...scoped] };

  if (info.namespaced && verbs.has('list') && kindList) {
    out[`${root}/${info.resource}`] = {
      get: operation(t, 'list', 'list', `list or watch objects of kind ${info.kind}`, {
        allNamespaces: true,
        responses: { '200': { description: 'OK', content: content(kindList, [...READ_TYPES, ...WATCH_TYPES]) }, '401': { description: 'Unauthorized' } },
      }),
      parameters: [...LIST_PARAMS, P.pretty],
    };
  }

  for (const st of subTargets) {
    const sub = st.subresource!;
    const subVerbs = new Set(sub.verbs);
    const ops: Obj = {};
    const what = `${sub.name} of the specified ${info.kind}`;
    if (subVerbs.has('get')) ops.get = operation(st, 'read', 'get', `read ${what}`, { responses: responses(st.schema, { '200': 'OK' }) });
    if (subVerbs.has('update')) {
      ops.put = operation(st, 'replace', 'put', `replace ${what}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(st.schema, ['*/*']), required: true },
        responses: responses(st.schema, { '200': 'OK', '201': 'Created' }),
      });
    }
    if (subVerbs.has('patch')) {
      ops.patch = operation(st, 'patch', 'patch', `partially update ${what}`, {
        parameters: [...WRITE_PARAMS, P.force],
        requestBody: patchBody(st),
        responses: responses(st.schema, { '200': 'OK', '201': 'Created' }),
      });
    }
    if (subVerbs.has('create')) {
      ops.post = operation(st, 'create', 'post', `create ${what}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(st.schema, ['*/*']), required: true },
        responses: responses(st.schema, { '200': 'OK', '201': 'Created', '202': 'Accepted' }),
      });
    }
    if (Object.keys(ops).length) out[`${itemPath}/${sub.name}`] = { ...ops, parameters: [nameParam, ...scoped] };
  }
  return out;
}
