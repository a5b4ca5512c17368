import { describe, expect, it } from 'vitest';
import { behaviourFor, HEALTHY, SIM, type ContainerBehaviour } from './sim-annotations.ts';

describe('behaviourFor', () => {
  const cases: [string, Record<string, string>, string, boolean, Partial<ContainerBehaviour>][] = [
    ['no annotations: healthy app container', {}, 'app', false, HEALTHY],
    ['no annotations: init container succeeds at once', {}, 'init', true, { exit: { code: 0, afterMs: 0 } }],
    ['fail exits 1 at once', { [SIM.fail]: 'true' }, 'app', false, { exit: { code: 1, afterMs: 0 } }],
    ['fail with exit-code and run-seconds', { [SIM.fail]: 'true', [SIM.exitCode]: '3', [SIM.runSeconds]: '5' }, 'app', false, { exit: { code: 3, afterMs: 5000 } }],
    ['fail ignores exit-code 0', { [SIM.fail]: 'true', [SIM.exitCode]: '0' }, 'app', false, { exit: { code: 1, afterMs: 0 } }],
    ['exit-code 0 completes', { [SIM.exitCode]: '0' }, 'app', false, { exit: { code: 0, afterMs: 0 } }],
    ['run-seconds alone exits 0 later', { [SIM.runSeconds]: '30' }, 'app', false, { exit: { code: 0, afterMs: 30_000 } }],
    ['fail does not reach init containers unscoped', { [SIM.fail]: 'true' }, 'init', true, { exit: { code: 0, afterMs: 0 }, neverReady: false }],
    ['scoped to an init container', { [SIM.fail]: 'true', [SIM.containers]: 'init' }, 'init', true, { exit: { code: 1, afterMs: 0 } }],
    ['scoped away from an app container', { [SIM.fail]: 'true', [SIM.containers]: 'other' }, 'app', false, { exit: undefined }],
    ['readiness annotations', { [SIM.neverReady]: 'true', [SIM.readyAfterSeconds]: '7' }, 'app', false, { neverReady: true, readyAfterMs: 7000 }],
    ['start and sigterm', { [SIM.startSeconds]: '2', [SIM.ignoreSigterm]: 'true' }, 'app', false, { startMs: 2000, ignoreSigterm: true }],
    ['image pull error', { [SIM.imagePullError]: 'true' }, 'app', false, { imagePullError: true }],
    ['malformed numbers are ignored', { [SIM.runSeconds]: 'soon', [SIM.exitCode]: '-1' }, 'app', false, { exit: undefined }],
  ];
  it.each(cases)('%s', (_n, annotations, name, init, want) => expect(behaviourFor(annotations, name, init)).toMatchObject(want));
});
