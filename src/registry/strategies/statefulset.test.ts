import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { statefulSetStrategy } from './apps.ts';
import { create, stored, update } from './testing.ts';

const s = statefulSetStrategy();

function sts(spec: Record<string, unknown> = {}, name = 'web'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...spec,
    },
  };
}

describe('StatefulSet defaults', () => {
  it('fills upstream defaults, template and claim templates included', () => {
    const { obj, message } = create(s, sts({ volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
    expect(message).toBe('');
    const spec = obj.spec as Record<string, any>;
    expect(spec.replicas).toBe(1);
    expect(spec.podManagementPolicy).toBe('OrderedReady');
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
    expect(spec.template.spec.enableServiceLinks).toBeUndefined();
    expect(spec.template.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    expect(spec.volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('keeps rollingUpdate nil when the type was explicit', () => {
    const { obj } = create(s, sts({ updateStrategy: { type: 'RollingUpdate' } }));
    expect((obj.spec as any).updateStrategy).toEqual({ type: 'RollingUpdate' });
  });

  it('defaults maxUnavailable only with the MaxUnavailableStatefulSet gate (on in 1.35)', () => {
    const { obj } = create(statefulSetStrategy({ maxUnavailableStatefulSet: false }), sts());
    expect((obj.spec as any).updateStrategy.rollingUpdate).toEqual({ partition: 0 });
  });

  it('clears status on create', () => {
    const { obj } = create(s, { ...sts(), status: { replicas: 5 } });
    expect(obj.status).toBeUndefined();
  });
});

describe('StatefulSet validation', () => {
  it.each<[string, KubeObject, string]>([
    // A nil selector selects nothing, so upstream also reports the template mismatch.
    [
      'missing selector',
      sts({ selector: undefined }),
      'StatefulSet "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`]',
    ],
    [
      'selector mismatch',
      sts({ selector: { matchLabels: { app: 'other' } } }),
      'StatefulSet "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    ],
    [
      'empty selector',
      sts({ selector: {} }),
      'StatefulSet "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
    ],
    ['negative replicas', sts({ replicas: -1 }), 'StatefulSet "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [
      'restartPolicy Never',
      sts({ template: { metadata: { labels: { app: 'nginx' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } }),
      'StatefulSet "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    [
      'activeDeadlineSeconds',
      sts({ template: { metadata: { labels: { app: 'nginx' } }, spec: { activeDeadlineSeconds: 5, containers: [{ name: 'c', image: 'i' }] } } }),
      'StatefulSet "web" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ],
    [
      'bad pod management policy',
      sts({ podManagementPolicy: 'Fast' }),
      `StatefulSet "web" is invalid: spec.podManagementPolicy: Invalid value: "Fast": must be 'OrderedReady' or 'Parallel'`,
    ],
    [
      'rollingUpdate with OnDelete',
      sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }),
      `StatefulSet "web" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'`,
    ],
    [
      'negative partition',
      sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -2 } } }),
      'StatefulSet "web" is invalid: spec.updateStrategy.rollingUpdate.partition: Invalid value: -2: must be greater than or equal to 0',
    ],
    [
      'maxUnavailable 0',
      sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }),
      'StatefulSet "web" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0',
    ],
    [
      'retention policy',
      sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Delete' } }),
      'StatefulSet "web" is invalid: spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ],
    [
      'name must be a DNS label',
      sts({}, 'web.v1'),
      'StatefulSet "web.v1" is invalid: metadata.name: Invalid value: "web.v1": must not contain dots',
    ],
    ['serviceName not a DNS label', sts({ serviceName: 'my.svc' }), 'StatefulSet "web" is invalid: spec.serviceName: Invalid value: "my.svc": must not contain dots'],
    ['negative ordinals.start', sts({ ordinals: { start: -1 } }), 'StatefulSet "web" is invalid: spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0'],
  ])('%s', (_, obj, want) => {
    expect(create(s, obj).message).toBe(want);
  });

  it('accepts an empty serviceName and Parallel/OnDelete sets', () => {
    expect(create(s, sts({ serviceName: '', podManagementPolicy: 'Parallel', updateStrategy: { type: 'OnDelete' } })).message).toBe('');
  });

  it('does not validate the template PodSpec (upstream leaves it to pod creation)', () => {
    const t = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'www', mountPath: '/data' }] }] } };
    expect(create(s, sts({ template: t })).message).toBe('');
  });
});

describe('StatefulSet updates', () => {
  const old = stored(s, sts({ volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
  const edit = (f: (spec: Record<string, any>) => void) => {
    const next = structuredClone(old);
    f(next.spec as Record<string, any>);
    return next;
  };

  it('allows replicas, template, strategy, ordinals, retention, revisionHistoryLimit and minReadySeconds and bumps generation', () => {
    const r = update(
      s,
      old,
      edit((sp) => {
        sp.replicas = 5;
        sp.template.spec.containers[0].image = 'nginx:1.26';
        sp.updateStrategy = { type: 'OnDelete' };
        sp.minReadySeconds = 10;
        sp.revisionHistoryLimit = 3;
        sp.ordinals = { start: 2 };
        sp.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
      }),
    );
    expect(r.message).toBe('');
    expect(r.generationBumped).toBe(true);
  });

  it.each<[string, (sp: Record<string, any>) => void]>([
    ['selector', (sp) => (sp.selector = { matchLabels: { app: 'nginx', tier: 'x' } })],
    ['serviceName', (sp) => (sp.serviceName = 'other')],
    ['volumeClaimTemplates', (sp) => (sp.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi')],
    ['podManagementPolicy', (sp) => (sp.podManagementPolicy = 'Parallel')],
  ])('forbids changing %s', (_, f) => {
    const next = edit(f);
    if (_ === 'selector') (next.spec as any).template.metadata.labels.tier = 'x';
    expect(update(s, old, next).message).toBe(
      "StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  // Beyond upstream: the opt-in annotation admits a storage increase through the whole strategy
  // (defaults applied to both objects), and bumps generation like any spec change.
  it('with statefulset.k8ts.io/expand-claims, allows raising a claim template request and nothing else', () => {
    const optIn = (next: KubeObject) => ({ ...next, metadata: { ...next.metadata, annotations: { 'statefulset.k8ts.io/expand-claims': 'true' } } });
    const grown = update(s, old, optIn(edit((sp) => (sp.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'))));
    expect(grown.message).toBe('');
    expect(grown.generationBumped).toBe(true);
    expect((grown.obj.spec as any).volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    const forbidden =
      "StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
    expect(update(s, old, optIn(edit((sp) => (sp.volumeClaimTemplates[0].spec.resources.requests.storage = '512Mi')))).message).toBe(forbidden);
    expect(update(s, old, optIn(edit((sp) => (sp.volumeClaimTemplates[0].spec.accessModes = ['ReadWriteMany'])))).message).toBe(forbidden);
  });

  it('keeps status on spec updates and does not bump generation for metadata-only edits', () => {
    const withStatus: KubeObject = { ...old, status: { replicas: 1, readyReplicas: 1 } };
    const next = structuredClone(withStatus);
    next.metadata.labels = { a: 'b' };
    next.status = { replicas: 9 };
    const r = update(s, withStatus, next);
    expect(r.obj.status).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(r.generationBumped).toBe(false);
  });

  it('validates status updates', () => {
    const next = structuredClone(old);
    next.status = { replicas: 1, readyReplicas: 2 };
    s.prepareForStatusUpdate?.(next, old, { namespace: 'default', now: '' });
    expect(s.validateStatusUpdate?.(next, old, { namespace: 'default', now: '' })).toEqual([
      { type: 'Invalid value', field: 'status.readyReplicas', value: 2, detail: 'cannot be greater than status.replicas' },
    ]);
  });
});
