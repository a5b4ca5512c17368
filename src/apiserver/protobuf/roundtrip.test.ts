import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../api/meta/types.ts';
import { decodeProtobufObject } from './decode.ts';
import { encodeProtobufObject } from './encode.ts';
import { type MessageDef, messageDef, supportedKinds } from './schema.ts';

type Obj = { apiVersion: string; kind: string; [k: string]: JsonValue };

/** What the server should see for a body kubectl would have sent as JSON: `null` means unset. */
function withoutNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  }
  return v;
}

const meta = (name: string, extra: JsonObject = {}): JsonObject => ({ name, creationTimestamp: null, ...extra });
const labels = { app: 'web' };
const podTemplate = (containers: JsonObject[], extra: JsonObject = {}): JsonObject => ({
  metadata: { creationTimestamp: null, labels },
  spec: { containers, ...extra },
});

// Bodies as kubectl 1.35's generators build them (`kubectl create … --dry-run=client -o json`).
const KUBECTL_OBJECTS: Obj[] = [
  { apiVersion: 'v1', kind: 'Secret', metadata: meta('db', { namespace: 'default' }), data: { password: 'aHVudGVyMg==' }, type: 'Opaque' },
  { apiVersion: 'v1', kind: 'Secret', metadata: meta('tls'), data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' }, type: 'kubernetes.io/tls' },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { 'app.properties': 'a=1\nb=2\n', empty: '' }, binaryData: { blob: 'AAEC' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team-a'), spec: {}, status: {} },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('builder') },
  {
    apiVersion: 'v1', kind: 'Service', metadata: meta('web', { labels }),
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 'metrics' }], selector: labels, type: 'ClusterIP' },
    status: { loadBalancer: {} },
  },
  {
    apiVersion: 'v1', kind: 'Service', metadata: meta('ext'),
    spec: { type: 'ExternalName', externalName: 'example.com' },
    status: { loadBalancer: {} },
  },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', { labels }),
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: podTemplate([{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }]),
      strategy: {},
    },
    status: {},
  },
  {
    apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi'),
    spec: { template: podTemplate([{ name: 'pi', image: 'perl', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(20)'], resources: {} }], { restartPolicy: 'Never' }) },
    status: {},
  },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('tick'),
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: meta('tick'), spec: { template: podTemplate([{ name: 'tick', image: 'busybox', resources: {} }], { restartPolicy: 'OnFailure' }) } },
    },
    status: {},
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader'),
    rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'], resourceNames: ['web-0'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('agg'),
    rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('read-pods'),
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'default' }, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta('admins'),
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('zero'), value: 0, description: 'lowest', preemptionPolicy: 'Never' },
  {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'),
    spec: { minAvailable: '50%', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  },
  {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('compute'),
    spec: { hard: { cpu: '2', memory: '4Gi', pods: '10' }, scopes: ['NotTerminating'] },
    status: {},
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web'),
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    },
    status: { loadBalancer: {} },
  },
  {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: meta('builder'),
    spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'u-1' } },
    status: { token: '' },
  },
  // kubectl auth can-i, can-i --list and whoami.
  {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { namespace: 'team', verb: 'list', resource: 'pods' } }, status: { allowed: false },
  },
  { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec: { nonResourceAttributes: { path: '/logs', verb: 'get' } }, status: { allowed: false } },
  { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: { creationTimestamp: null }, spec: { namespace: 'team' }, status: { resourceRules: null, nonResourceRules: null, incomplete: false } },
  { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: meta('web-0', { namespace: 'default' }), deleteOptions: { gracePeriodSeconds: 30 } },
  { apiVersion: 'v1', kind: 'Binding', metadata: meta('web-0'), target: { kind: 'Node', name: 'node-1' } },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: meta('web', { namespace: 'default' }), spec: { replicas: 5 }, status: { replicas: 2, selector: 'app=web' } },
];

describe('protobuf bodies from kubectl generators decode to their JSON form', () => {
  it.each(KUBECTL_OBJECTS.map((o) => [`${o.kind} ${(o.metadata as JsonObject).name}`, o] as const))('%s', (_, obj) => {
    const expected = withoutNulls(JSON.parse(JSON.stringify(obj)) as JsonValue);
    expect(decodeProtobufObject(encodeProtobufObject(obj))).toEqual({ kind: obj.kind, ...(expected as JsonObject) });
  });
});

describe('a StatefulSet with the pod tree kubectl users write', () => {
  it('keeps volumes inline, probes, pointers set to zero and quantities', () => {
    const sts: Obj = {
      apiVersion: 'apps/v1', kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '17', generation: 2, creationTimestamp: '2024-05-01T10:00:00Z', labels, annotations: { note: '' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'owner', uid: 'u-0', controller: true, blockOwnerDeletion: false }],
        finalizers: ['example.com/keep'],
        managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] },
      spec: {
        replicas: 0, selector: { matchLabels: labels }, serviceName: 'web', podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '25%' } },
        revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 0,
            securityContext: { runAsNonRoot: true, fsGroup: 2000 },
            volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } }],
            containers: [{
              name: 'nginx', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, { name: 'EMPTY' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 'web', scheme: 'HTTP' }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 10 },
              volumeMounts: [{ name: 'data', mountPath: '/usr/share/nginx/html' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' } }] } },
            tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } }],
      },
      status: { replicas: 0, availableReplicas: 0 },
    };
    expect(decodeProtobufObject(encodeProtobufObject(sts))).toEqual(sts);
  });
});

describe('every supported kind', () => {
  it.each(supportedKinds().map((k) => [`${k.apiVersion} ${k.kind}`, k] as const))('%s decodes a named object', (_, { apiVersion, kind }) => {
    const decoded = decodeProtobufObject(encodeProtobufObject({ apiVersion, kind, metadata: { name: 'x', namespace: 'ns' } }));
    expect(decoded).toMatchObject({ apiVersion, kind, metadata: { name: 'x', namespace: 'ns' } });
  });
});

// Arbitrary JSON in the canonical shape the decoder produces for a message: omitempty zeros left
// out, pointers possibly zero, non-omitempty fields always present, whole-second times.
const SAMPLES: Record<string, fc.Arbitrary<JsonValue>> = {
  string: fc.string({ maxLength: 8 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: fc.maxSafeInteger(),
  bool: fc.boolean(),
  bytes: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64')),
  Time: fc.integer({ min: 0, max: 4102444800 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')),
  MicroTime: fc.integer({ min: 0, max: 4102444800 }).chain((s) => fc.integer({ min: 0, max: 999999 }).map((us) => new Date(s * 1000).toISOString().slice(0, 19) + '.' + String(us).padStart(6, '0') + 'Z')),
  Quantity: fc.constantFrom('1', '100m', '2Gi', '0.5', '1e3'),
  IntOrString: fc.oneof(fc.integer({ min: -1000, max: 65535 }), fc.string({ maxLength: 5 })),
  Raw: fc.dictionary(fc.string({ maxLength: 4 }), fc.constant({})),
};
const isZero = (v: JsonValue) => v === '' || v === 0 || v === false;

function arbitraryFor(def: MessageDef, depth: number): fc.Arbitrary<JsonObject> {
  const parts = def.fields.map((f): fc.Arbitrary<JsonObject> => {
    if (f.json === null) return arbitraryFor(messageDef(f.type), depth);
    const key = f.json;
    if (!f.scalar && !SAMPLES[f.type] && depth <= 0) return fc.constant({});
    const value = SAMPLES[f.type] ?? arbitraryFor(messageDef(f.type), depth - 1);
    if (f.map) return fc.option(fc.dictionary(fc.string({ maxLength: 5 }), value, { minKeys: 1, maxKeys: 3 }), { nil: undefined }).map((m) => (m ? { [key]: m } : {}));
    if (f.repeated) return fc.option(fc.array(value, { minLength: 1, maxLength: 2 }), { nil: undefined }).map((l) => (l ? { [key]: l } : {}));
    if (f.presence === 'always') return value.map((v) => ({ [key]: v }));
    return fc.option(value, { nil: undefined }).map((v) => (v === undefined || (f.presence === 'omitempty' && f.scalar && isZero(v)) ? {} : { [key]: v }));
  });
  return fc.tuple(...parts).map((objs) => Object.assign({}, ...objs) as JsonObject);
}

describe('decode(encode(x)) is x for arbitrary canonical objects', () => {
  it.each(['Pod', 'StatefulSet', 'CronJob', 'Service', 'Ingress', 'Secret', 'PodDisruptionBudget', 'Lease', 'DeleteOptions'])('%s', (kind) => {
    const apiVersion = supportedKinds().find((k) => k.kind === kind)?.apiVersion ?? 'v1';
    fc.assert(
      fc.property(arbitraryFor(messageDef(kind), 4), (body) => {
        const obj = { ...body, apiVersion, kind };
        expect(decodeProtobufObject(encodeProtobufObject(obj))).toEqual(obj);
      }),
      { numRuns: 60 },
    );
  });
});
