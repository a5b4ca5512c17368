import { describe, expect, it } from 'vitest';
import { probeContainer, type ProbeVerdict } from './probes.ts';
import type { ContainerSpec, ProbeResult, RuntimeContainer } from './runtime.ts';

const running = (startedAt: number): RuntimeContainer => ({ id: 'k8ts-sim://1', podUid: 'u', name: 'c', attempt: 0, image: 'nginx', imageRef: 'x', state: 'running', createdAt: startedAt, startedAt });
const pass = (): ProbeResult => ({ ok: true, output: '' });
const fail = (changesAt?: number) => (): ProbeResult => ({ ok: false, output: 'nope', changesAt });

describe('probeContainer', () => {
  const cases: [string, ContainerSpec, RuntimeContainer | undefined, number, () => ProbeResult, ProbeVerdict][] = [
    ['not created', { name: 'c' }, undefined, 0, pass, { started: false, ready: false }],
    ['running, no probes: ready at once', { name: 'c' }, running(1000), 1000, pass, { started: true, ready: true }],
    ['readiness delay 10 s: not yet', { name: 'c', readinessProbe: { initialDelaySeconds: 10 } }, running(0), 9_999, pass, { started: true, ready: false, nextAt: 10_000 }],
    ['readiness delay 10 s: ready at 10 s', { name: 'c', readinessProbe: { initialDelaySeconds: 10 } }, running(0), 10_000, pass, { started: true, ready: true }],
    ['startup probe holds started and ready', { name: 'c', startupProbe: { initialDelaySeconds: 5 } }, running(0), 4_000, pass, { started: false, ready: false, nextAt: 5_000 }],
    ['startup then readiness: the later wins', { name: 'c', startupProbe: { initialDelaySeconds: 5 }, readinessProbe: { initialDelaySeconds: 3 } }, running(0), 5_000, pass, { started: true, ready: true }],
    ['failing probe retries each period', { name: 'c', readinessProbe: { periodSeconds: 2 } }, running(0), 0, fail(), { started: true, ready: false, nextAt: 2_000, failure: 'nope' }],
    ['failing without a probe waits for the runtime', { name: 'c' }, running(0), 0, fail(7_000), { started: true, ready: false, nextAt: 7_000, failure: 'nope' }],
    ['startup probe still failing: not started', { name: 'c', startupProbe: {} }, running(0), 0, fail(), { started: false, ready: false, nextAt: undefined }],
    ['startup probe out of attempts: kill', { name: 'c', startupProbe: {} }, running(0), 0, () => ({ ok: false, output: 'no', kill: true }), { started: false, ready: false, kill: { kind: 'startup', output: 'no' } }],
    ['liveness failed: kill', { name: 'c', livenessProbe: {} }, running(0), 0, () => ({ ok: false, output: 'dead', kill: true }), { started: true, ready: false, kill: { kind: 'liveness', output: 'dead' } }],
    ['never ready without a probe is never retried', { name: 'c' }, running(0), 0, fail(), { started: true, ready: false, nextAt: undefined, failure: 'nope' }],
  ];
  it.each(cases)('%s', (_n, spec, c, now, probe, want) => expect(probeContainer(spec, c, now, probe)).toEqual(want));
});
