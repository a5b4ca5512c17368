// StatefulSet validation against upstream's exact messages (pkg/apis/apps/validation
// ValidateStatefulSet{,Spec,Update}; values rendered with Go's %#v as the apiserver does).
import { describe, expect, it } from 'vitest';
import { invalid } from '../errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setStatefulSetDefaults, validateStatefulSet, validateStatefulSetUpdate } from './statefulset.ts';

function sts(spec: Record<string, unknown> = {}, name = 'web'): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...spec,
    },
  };
  setStatefulSetDefaults(obj);
  return obj;
}

const message = (obj: KubeObject, errs = validateStatefulSet(obj)) => (errs.length ? invalid('StatefulSet', 'apps', obj.metadata.name!, errs).message : '');
const ru = (rollingUpdate: Record<string, unknown>) => ({ updateStrategy: { type: 'RollingUpdate', rollingUpdate } });
const tpl = (labels: Record<string, string> | undefined, spec: Record<string, unknown> = {}) => ({ template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } });
const PREFIX = 'StatefulSet.apps "web" is invalid: ';

describe('ValidateStatefulSetSpec', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['valid', {}, ''],
    ['selector does not match', tpl({ app: 'other', tier: 'db' }), 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other", "tier":"db"}: `selector` does not match template `labels`'],
    ['template without labels', tpl(undefined), 'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`'],
    [
      'empty selector',
      { selector: { matchLabels: {} } },
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
    ],
    [
      'bad selector operator',
      { selector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['web'] }] } },
      '[spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Like", Values:[]string{"web"}}}}]',
    ],
    ['negative replicas', { replicas: -1 }, 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ['negative minReadySeconds', { minReadySeconds: -3 }, 'spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0'],
    ['negative revisionHistoryLimit', { revisionHistoryLimit: -1 }, 'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
    ['negative ordinals.start', { ordinals: { start: -1 } }, 'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0'],
    ['podManagementPolicy', { podManagementPolicy: 'Random' }, `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`],
    [
      'updateStrategy type',
      { updateStrategy: { type: 'BlueGreen' } },
      `spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'`,
    ],
    [
      'rollingUpdate with OnDelete',
      { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 2 } } },
      `spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:2, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'`,
    ],
    ['negative partition', ru({ partition: -1 }), 'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
    ['maxUnavailable 0', ru({ maxUnavailable: 0 }), 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0'],
    ['maxUnavailable 0%', ru({ maxUnavailable: '0%' }), 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: cannot be 0'],
    ['maxUnavailable negative', ru({ maxUnavailable: -2 }), 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -2: must be greater than or equal to 0'],
    ['maxUnavailable over 100%', ru({ maxUnavailable: '150%' }), 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    [
      'maxUnavailable not a percent',
      ru({ maxUnavailable: 'half' }),
      `[spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: cannot be 0]`,
    ],
    ['maxUnavailable 50% with a partition', ru({ partition: 3, maxUnavailable: '50%' }), ''],
    ['whenDeleted', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' } }, 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"'],
    ['whenScaled', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Drop' } }, 'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Drop": supported values: "Retain", "Delete"'],
    ['restartPolicy OnFailure', tpl({ app: 'web' }, { restartPolicy: 'OnFailure' }), 'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ['activeDeadlineSeconds', tpl({ app: 'web' }, { activeDeadlineSeconds: 10 }), 'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported'],
    ['serviceName', { serviceName: 'Web_Svc' }, `spec.serviceName: Invalid value: "Web_Svc": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`],
  ])('%s', (_, spec, want) => {
    expect(message(sts(spec)).replace(PREFIX, '')).toBe(want);
  });

  // Upstream checks only the DNS-label rule; a name too long for the pods' controller-revision-hash
  // label (kubernetes#64023) is accepted and fails later, at pod creation.
  it('limits the name to a DNS label and nothing more', () => {
    expect(message(sts({}, 'a'.repeat(63)))).toBe('');
    expect(message(sts({}, 'a'.repeat(64)))).toBe(`StatefulSet.apps "${'a'.repeat(64)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`);
  });
});

describe('ValidateStatefulSetUpdate', () => {
  const FORBIDDEN =
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
  const old = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });
  old.metadata.resourceVersion = '7';

  it.each<[string, (spec: Record<string, any>) => void, string]>([
    ['replicas', (s) => (s.replicas = 3), ''],
    ['revisionHistoryLimit', (s) => (s.revisionHistoryLimit = 2), ''],
    ['ordinals', (s) => (s.ordinals = { start: 5 }), ''],
    ['minReadySeconds', (s) => (s.minReadySeconds = 5), ''],
    ['retention policy', (s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }), ''],
    ['update strategy', (s) => (s.updateStrategy = { type: 'OnDelete' }), ''],
    ['template', (s) => (s.template.spec.containers[0].image = 'nginx:2'), ''],
    ['serviceName', (s) => (s.serviceName = 'other'), FORBIDDEN],
    ['podManagementPolicy', (s) => (s.podManagementPolicy = 'Parallel'), FORBIDDEN],
    ['volumeClaimTemplates', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'), FORBIDDEN],
    ['replicas below zero', (s) => (s.replicas = -1), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  ])('%s', (_, f, want) => {
    const next = structuredClone(old);
    f(next.spec as Record<string, any>);
    expect(message(next, validateStatefulSetUpdate(next, old)).replace(PREFIX, '')).toBe(want);
  });
});

// Beyond upstream: statefulset.k8ts.io/expand-claims lets an update raise claim templates'
// storage requests; without it, and for any other template change, upstream's message stands.
describe('ValidateStatefulSetUpdate with statefulset.k8ts.io/expand-claims', () => {
  const FORBIDDEN =
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
  const claim = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: 'grow' } });
  const old = sts({ volumeClaimTemplates: [claim('data', '1Gi'), claim('logs', '512Mi')] });
  old.metadata.resourceVersion = '7';

  it.each<[string, string | undefined, (spec: Record<string, any>) => void, string]>([
    ['no annotation: increase refused', undefined, (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'), FORBIDDEN],
    ['annotation "false": increase refused', 'false', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'), FORBIDDEN],
    ['increase', 'true', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'), ''],
    ['increase in another unit', 'true', (s) => (s.volumeClaimTemplates[1].spec.resources.requests.storage = '1G'), ''],
    ['same value in another unit', 'true', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '1024Mi'), ''],
    ['increase of both templates with a replicas change', 'true', (s) => {
      s.replicas = 5;
      s.volumeClaimTemplates[0].spec.resources.requests.storage = '3Gi';
      s.volumeClaimTemplates[1].spec.resources.requests.storage = '1Gi';
    }, ''],
    ['decrease', 'true', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '500Mi'), FORBIDDEN],
    ['one up, one down', 'true', (s) => {
      s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
      s.volumeClaimTemplates[1].spec.resources.requests.storage = '256Mi';
    }, FORBIDDEN],
    ['not a quantity', 'true', (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = 'lots'), FORBIDDEN],
    ['request removed', 'true', (s) => delete s.volumeClaimTemplates[0].spec.resources.requests.storage, FORBIDDEN],
    ['increase with a class change', 'true', (s) => {
      s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
      s.volumeClaimTemplates[0].spec.storageClassName = 'other';
    }, FORBIDDEN],
    ['access modes', 'true', (s) => (s.volumeClaimTemplates[0].spec.accessModes = ['ReadWriteMany']), FORBIDDEN],
    ['limits', 'true', (s) => (s.volumeClaimTemplates[0].spec.resources.limits = { storage: '4Gi' }), FORBIDDEN],
    ['template labels', 'true', (s) => (s.volumeClaimTemplates[0].metadata.labels = { tier: 'db' }), FORBIDDEN],
    ['template added', 'true', (s) => s.volumeClaimTemplates.push(claim('extra', '1Gi')), FORBIDDEN],
    ['template removed', 'true', (s) => s.volumeClaimTemplates.pop(), FORBIDDEN],
    ['templates reordered', 'true', (s) => s.volumeClaimTemplates.reverse(), FORBIDDEN],
    ['increase with a serviceName change', 'true', (s) => {
      s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
      s.serviceName = 'other';
    }, FORBIDDEN],
  ])('%s', (_, annotation, f, want) => {
    const next = structuredClone(old);
    if (annotation !== undefined) next.metadata.annotations = { 'statefulset.k8ts.io/expand-claims': annotation };
    f(next.spec as Record<string, any>);
    expect(message(next, validateStatefulSetUpdate(next, old)).replace(PREFIX, '')).toBe(want);
  });
});

describe('SetDefaults_StatefulSet', () => {
  it('gives the shape kubectl get -o yaml shows on 1.35', () => {
    const obj = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });
    const spec = obj.spec as Record<string, any>;
    expect(spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(spec.minReadySeconds).toBeUndefined();
    expect(spec.ordinals).toBeUndefined();
    expect(spec.volumeClaimTemplates[0]).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });

  it('keeps an explicit RollingUpdate without rollingUpdate nil, and fills missing retention fields', () => {
    const spec = sts({ updateStrategy: { type: 'RollingUpdate' }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }).spec as Record<string, any>;
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
  });
});
