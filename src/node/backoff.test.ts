import { describe, expect, it } from 'vitest';
import { formatGoDuration, pullBackoffMs, restartDelayMs } from './backoff.ts';

describe('restartDelayMs', () => {
  it.each([
    [0, 0, 0],
    [1, 0, 10_000],
    [2, 0, 20_000],
    [3, 0, 40_000],
    [5, 0, 160_000],
    [6, 0, 300_000],
    [20, 0, 300_000],
    [6, 601_000, 0],
  ])('restart %i after a %i ms run waits %i ms', (restarts, ran, want) => expect(restartDelayMs(restarts, ran)).toBe(want));
});

describe('pullBackoffMs', () => {
  it.each([
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [9, 300_000],
  ])('%i failures → %i ms', (n, want) => expect(pullBackoffMs(n)).toBe(want));
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0ms'],
    [523, '523ms'],
    [1200, '1.2s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
  ])('%i ms → %s', (ms, want) => expect(formatGoDuration(ms)).toBe(want));
});
