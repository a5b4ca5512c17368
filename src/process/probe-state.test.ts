import { describe, expect, it } from 'vitest';
import { initialProbeState, recordProbe } from './probe-state.ts';

describe('recordProbe', () => {
  const cases: { name: string; kind: 'readiness' | 'liveness' | 'startup'; t: { successThreshold?: number; failureThreshold?: number }; runs: boolean[]; ok: boolean[] }[] = [
    { name: 'readiness passes on the first success', kind: 'readiness', t: {}, runs: [true], ok: [true] },
    { name: 'readiness needs successThreshold successes in a row', kind: 'readiness', t: { successThreshold: 2 }, runs: [true, false, true, true], ok: [false, false, false, true] },
    { name: 'readiness fails after failureThreshold failures', kind: 'readiness', t: { failureThreshold: 2 }, runs: [true, false, true, false, false], ok: [true, true, true, true, false] },
    { name: 'liveness starts passing and fails at the third failure by default', kind: 'liveness', t: {}, runs: [false, false, false], ok: [true, true, false] },
    { name: 'startup starts failing', kind: 'startup', t: { failureThreshold: 30 }, runs: [false, true], ok: [false, true] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let s = initialProbeState(c.kind);
      const seen: boolean[] = [];
      for (const r of c.runs) {
        s = recordProbe(s, c.t, r, r ? '' : 'boom').state;
        seen.push(s.ok);
      }
      expect(seen).toEqual(c.ok);
    });
  }
  it('keeps the last failure output and says when the result flipped', () => {
    const s = initialProbeState('readiness');
    const a = recordProbe(s, {}, false, 'HTTP probe failed with statuscode: 500');
    expect(a).toMatchObject({ changed: false, state: { ok: false, output: 'HTTP probe failed with statuscode: 500' } });
    const b = recordProbe(a.state, {}, true, '');
    expect(b.changed).toBe(true);
  });
});
