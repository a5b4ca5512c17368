import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { controllerRevisionStrategy, daemonSetStrategy, deploymentStrategy, replicaSetStrategy } from './apps.ts';
import { create, stored, update } from './testing.ts';

const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'fluentd:v1' }] } };
const workload = (kind: string, spec: Record<string, unknown> = {}, name = 'agent'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: structuredClone(template), ...spec },
});

describe('DaemonSet', () => {
  const s = daemonSetStrategy();

  it('defaults the rolling update and the template generation annotation', () => {
    const { obj, message } = create(s, workload('DaemonSet'));
    expect(message).toBe('');
    expect((obj.spec as any).updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect((obj.spec as any).revisionHistoryLimit).toBe(10);
    expect(obj.metadata.annotations).toEqual({ 'deprecated.daemonset.template.generation': '1' });
  });

  it.each<[string, KubeObject, string]>([
    ['no selector', workload('DaemonSet', { selector: undefined }), 'DaemonSet "agent" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`'],
    ['empty selector', workload('DaemonSet', { selector: {} }), 'DaemonSet "agent" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for daemonset'],
    [
      'surge and unavailable',
      workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }),
      'DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    ],
    [
      'both zero',
      workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
      'DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ],
    [
      'over 100%',
      workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%', maxSurge: 0 } } }),
      'DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    ],
    [
      'pod spec is validated',
      workload('DaemonSet', { template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'Agent', image: 'x' }] } } }),
      `DaemonSet "agent" is invalid: spec.template.spec.containers[0].name: Invalid value: "Agent": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  ])('%s', (_, obj, want) => {
    expect(create(s, obj).message).toBe(want);
  });

  it('keeps the selector immutable and bumps the template generation on template changes', () => {
    const old = stored(s, workload('DaemonSet'));
    const img = structuredClone(old);
    (img.spec as any).template.spec.containers[0].image = 'fluentd:v2';
    const r = update(s, old, img);
    expect(r.message).toBe('');
    expect(r.generationBumped).toBe(true);
    expect(r.obj.metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
    const sel = structuredClone(old);
    (sel.spec as any).selector = { matchLabels: { app: 'agent', v: '2' } };
    (sel.spec as any).template.metadata.labels.v = '2';
    expect(update(s, old, sel).message).toBe('DaemonSet "agent" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"agent","v":"2"}}: field is immutable');
  });
});

describe('Deployment and ReplicaSet', () => {
  const d = deploymentStrategy();
  const rs = replicaSetStrategy();

  it('defaults a Deployment', () => {
    const { obj, message } = create(d, workload('Deployment'));
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });

  it.each<[string, KubeObject, string]>([
    [
      'missing selector',
      workload('Deployment', { selector: undefined }),
      'Deployment "agent" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`]',
    ],
    [
      'Recreate with rollingUpdate',
      workload('Deployment', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
      "Deployment \"agent\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ],
    [
      'deadline below minReadySeconds',
      workload('Deployment', { minReadySeconds: 700 }),
      'Deployment "agent" is invalid: spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ],
    [
      'zero surge and unavailable',
      workload('Deployment', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }),
      'Deployment "agent" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ],
  ])('%s', (_, obj, want) => {
    expect(create(d, obj).message).toBe(want);
  });

  it('bumps Deployment generation on annotation changes', () => {
    const old = stored(d, workload('Deployment'));
    const next = structuredClone(old);
    next.metadata.annotations = { 'kubernetes.io/change-cause': 'x' };
    expect(update(d, old, next).generationBumped).toBe(true);
  });

  it('ReplicaSet: empty selector message and restartPolicy', () => {
    expect(create(rs, workload('ReplicaSet', { selector: {} })).message).toBe('ReplicaSet "agent" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment');
    const never = workload('ReplicaSet', { template: { metadata: { labels: { app: 'agent' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } });
    expect(create(rs, never).message).toBe('ReplicaSet "agent" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
    expect((create(rs, workload('ReplicaSet')).obj.spec as any).replicas).toBe(1);
  });
});

describe('ControllerRevision', () => {
  const s = controllerRevisionStrategy();
  it('requires data and keeps it immutable', () => {
    expect(create(s, { kind: 'ControllerRevision', metadata: { name: 'web-abc' }, revision: 1 }).message).toBe('ControllerRevision "web-abc" is invalid: data: Required value: data is mandatory');
    const old = stored(s, { kind: 'ControllerRevision', metadata: { name: 'web-abc' }, revision: 1, data: { spec: {} } });
    expect(update(s, old, { ...old, revision: 3 }).message).toBe('');
    expect(update(s, old, { ...old, data: { spec: { x: 1 } } }).message).toBe('ControllerRevision "web-abc" is invalid: data: Invalid value: {"spec":{"x":1}}: field is immutable');
  });
});
