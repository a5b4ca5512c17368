import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { cronJobStrategy, jobStrategy } from './batch.ts';
import { configMapStrategy, leaseStrategy, namespaceStrategy, nodeStrategy, prepareNamespaceForFinalize, secretStrategy } from './core-misc.ts';
import { create, stored, update } from './testing.ts';

describe('Namespace', () => {
  const s = namespaceStrategy();
  it('defaults the finalizer, phase and name label', () => {
    const { obj, message } = create(s, { kind: 'Namespace', metadata: { name: 'demo', namespace: '' } });
    expect(message).toBe('');
    expect(obj.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(obj.status).toEqual({ phase: 'Active' });
    expect(obj.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'demo' });
  });
  it('names are DNS labels', () => {
    expect(create(s, { kind: 'Namespace', metadata: { name: 'a.b', namespace: '' } }).message).toBe('Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
  });
  it('keeps finalizers and status on update; finalize changes only finalizers', () => {
    const old = stored(s, { kind: 'Namespace', metadata: { name: 'demo', namespace: '' } });
    const next = structuredClone(old);
    next.spec = { finalizers: [] };
    next.status = { phase: 'Terminating' };
    const r = update(s, old, next);
    expect(r.obj.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(r.obj.status).toEqual({ phase: 'Active' });
    const fin = structuredClone(old);
    fin.spec = { finalizers: [] };
    fin.metadata.labels = { x: 'y' };
    prepareNamespaceForFinalize(fin, old);
    expect(fin.spec).toEqual({ finalizers: [] });
    expect(fin.metadata.labels).toEqual(old.metadata.labels);
  });
});

describe('Node', () => {
  const s = nodeStrategy();
  it('validates taints and keeps podCIDR once set', () => {
    expect(create(s, { kind: 'Node', metadata: { name: 'node-a', namespace: '' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }).message).toBe(
      'Node "node-a" is invalid: spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    );
    const old = stored(s, { kind: 'Node', metadata: { name: 'node-a', namespace: '' }, spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] } });
    const next = structuredClone(old);
    next.spec = { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] };
    expect(update(s, old, next).message).toBe('Node "node-a" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid');
    const cordon = structuredClone(old);
    (cordon.spec as any).unschedulable = true;
    expect(update(s, old, cordon).message).toBe('');
  });
});

describe('ConfigMap and Secret', () => {
  const cm = configMapStrategy();
  const sec = secretStrategy();
  it('validates keys', () => {
    expect(create(cm, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'bad key': 'v' } }).message).toBe(
      `ConfigMap "c" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });
  it('refuses changes to immutable data', () => {
    const old = stored(cm, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' }, immutable: true });
    expect(update(cm, old, { ...old, data: { a: '2' } }).message).toBe('ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });
  it('defaults the secret type and folds stringData into data', () => {
    const { obj, message } = create(sec, { kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hi' } });
    expect(message).toBe('');
    expect(obj).toMatchObject({ type: 'Opaque', data: { a: 'eA==', b: 'aGk=' } });
    expect(obj.stringData).toBeUndefined();
  });
  it('type-specific keys and immutable type', () => {
    expect(create(sec, { kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }).message).toBe(
      'Secret "s" is invalid: data[tls.key]: Required value',
    );
    const old = stored(sec, { kind: 'Secret', metadata: { name: 's' }, data: {} });
    expect(update(sec, old, { ...old, type: 'kubernetes.io/basic-auth', data: { username: 'dQ==' } }).message).toBe(
      'Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    );
  });
});

describe('Job and CronJob', () => {
  const job = jobStrategy();
  const tmpl = { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } };
  it('defaults and generates the selector from the uid', () => {
    const input: KubeObject = { kind: 'Job', metadata: { name: 'pi', uid: 'u-1' }, spec: { template: structuredClone(tmpl) } };
    const { obj, message } = create(job, input);
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } } });
    expect((obj.spec as any).template.metadata.labels).toEqual({ 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' });
  });
  it('rejects restartPolicy Always and template changes', () => {
    const bad: KubeObject = { kind: 'Job', metadata: { name: 'pi', uid: 'u' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Always' } } } };
    expect(create(job, bad).message).toBe('Job "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const old = stored(job, { kind: 'Job', metadata: { name: 'pi', uid: 'u' }, spec: { template: structuredClone(tmpl) } });
    const next = structuredClone(old);
    (next.spec as any).template.spec.containers[0].image = 'perl:2';
    expect(update(job, old, next).message).toMatch(/^Job "pi" is invalid: spec.template: Invalid value: .*: field is immutable$/);
  });
  it('CronJob defaults and schedule validation', () => {
    const cj = cronJobStrategy();
    const input: KubeObject = { kind: 'CronJob', metadata: { name: 'hello' }, spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: structuredClone(tmpl) } } } };
    const { obj, message } = create(cj, input);
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(create(cj, { ...input, spec: { ...(input.spec as object), schedule: '' } }).message).toBe('CronJob "hello" is invalid: spec.schedule: Required value');
  });
});

describe('Lease', () => {
  it('duration must be positive', () => {
    expect(create(leaseStrategy(), { kind: 'Lease', metadata: { name: 'node-a' }, spec: { leaseDurationSeconds: 0 } }).message).toBe(
      'Lease "node-a" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );
  });
});

describe('ReplicationController and PodDisruptionBudget', () => {
  it('RC selector and labels default from the template', async () => {
    const { replicationControllerStrategy } = await import('./core-workloads.ts');
    const s = replicationControllerStrategy();
    const { obj, message } = create(s, { kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'b' }] } } } });
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({ selector: { app: 'x' }, replicas: 1 });
    expect(obj.metadata.labels).toEqual({ app: 'x' });
  });
  it('PDB may not set both bounds', async () => {
    const { strategyFor } = await import('./index.ts');
    const s = strategyFor('policy', 'PodDisruptionBudget');
    expect(create(s, { kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 1, maxUnavailable: 1 } }).message).toBe(
      'PodDisruptionBudget "p" is invalid: spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set',
    );
  });
});
