import { describe, expect, it } from 'vitest';
import { trackFromStatus } from './pod-track.ts';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('trackFromStatus: a pod found run by a previous run of the agent', () => {
  const cases: { name: string; seen?: Parameters<typeof trackFromStatus>[3]; current?: { exitCode: number; reason: string } | undefined; restartCount: number; fromPreviousRun: boolean }[] = [
    { name: 'a new pod: nothing to carry over', seen: undefined, current: undefined, restartCount: 0, fromPreviousRun: false },
    { name: 'created but never run (waiting, no container id)', seen: { name: 'c', state: {} }, current: undefined, restartCount: 0, fromPreviousRun: false },
    {
      name: 'running when the node went down: ended Unknown 255, restarts go on',
      seen: { name: 'c', containerID: 'sim://a', restartCount: 2, state: { running: { startedAt: '2026-01-01T11:00:00Z' } } },
      current: { exitCode: 255, reason: 'Unknown' },
      restartCount: 2,
      fromPreviousRun: true,
    },
    {
      name: 'already finished: its own exit kept (restartPolicy decides)',
      seen: { name: 'c', containerID: 'sim://b', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T11:00:00Z', finishedAt: '2026-01-01T11:01:00Z' } } },
      current: { exitCode: 0, reason: 'Completed' },
      restartCount: 0,
      fromPreviousRun: true,
    },
    {
      name: 'waiting in CrashLoopBackOff: the last exit is the current one',
      seen: { name: 'c', restartCount: 5, state: {}, lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: 'sim://c' } } },
      current: { exitCode: 1, reason: 'Error' },
      restartCount: 5,
      fromPreviousRun: true,
    },
  ];
  it.each(cases)('$name', ({ seen, current, restartCount, fromPreviousRun }) => {
    const t = trackFromStatus('c', false, 'uid-1', seen, NOW);
    expect(t.current ? { exitCode: t.current.exitCode, reason: t.current.reason } : undefined).toEqual(current);
    expect(t.restartCount).toBe(restartCount);
    expect(!!t.fromPreviousRun).toBe(fromPreviousRun);
    if (t.current) expect(t.current.state).toBe('exited');
  });

  it('keeps when the container started, and ends a running one now', () => {
    const t = trackFromStatus('c', false, 'uid-1', { name: 'c', containerID: 'sim://a', state: { running: { startedAt: '2026-01-01T11:00:00Z' } } }, NOW);
    expect(t.current?.startedAt).toBe(Date.UTC(2026, 0, 1, 11));
    expect(t.current?.finishedAt).toBe(NOW);
  });
});
