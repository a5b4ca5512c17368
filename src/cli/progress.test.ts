import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, plainDue, progressLine } from './progress.ts';

describe('progressLine', () => {
  const cases: { name: string; args: Parameters<typeof progressLine>; line: string }[] = [
    { name: 'the start', args: ['creating nodes', 0, 5000, 0], line: 'creating nodes  [····················] 0/5,000 0%' },
    { name: 'a quarter, too early to guess the time left', args: ['creating nodes', 1250, 5000, 500], line: 'creating nodes  [#####···············] 1,250/5,000 25%' },
    { name: 'halfway with the time left from the pace so far', args: ['creating nodes', 2500, 5000, 4000], line: 'creating nodes  [##########··········] 2,500/5,000 50% · 4 s left' },
    { name: 'done: no time left shown', args: ['nodes ready', 5001, 5001, 9000], line: 'nodes ready  [####################] 5,001/5,001 100%' },
    { name: 'bytes', args: ['reading image.tar', 3 * 1024 * 1024, 12 * 1024 * 1024, 0, { unit: 'bytes' }], line: 'reading image.tar  [#####···············] 3.0 MiB/12 MiB 25%' },
    { name: 'more done than the total (a total that grew) stays at 100%', args: ['x', 12, 10, 0], line: 'x  [####################] 12/10 100%' },
    { name: 'cut to the width', args: ['creating nodes', 0, 5000, 0, { width: 20 }], line: 'creating nodes  [···' },
  ];
  it.each(cases)('$name', ({ args, line }) => {
    expect(progressLine(...args)).toBe(line);
  });
});

describe('plainDue', () => {
  const cases: { name: string; last?: { at: number; fraction: number }; now: number; fraction: number; elapsed?: number; due: boolean }[] = [
    { name: 'quiet in the first second', now: 0, fraction: 0.5, elapsed: 999, due: false },
    { name: 'the first update after a second prints', now: 0, fraction: 0.5, elapsed: 1000, due: true },
    { name: 'soon after, within the same quarter: quiet', last: { at: 0, fraction: 0.01 }, now: 1000, fraction: 0.2, due: false },
    { name: 'a quarter crossed prints', last: { at: 0, fraction: 0.2 }, now: 1000, fraction: 0.26, due: true },
    { name: 'five seconds on prints', last: { at: 0, fraction: 0.3 }, now: 5000, fraction: 0.31, due: true },
    { name: 'the end prints', last: { at: 0, fraction: 0.9 }, now: 10, fraction: 1, due: true },
  ];
  it.each(cases)('$name', ({ last, now, fraction, elapsed = 0, due }) => {
    expect(plainDue(last, now, fraction, elapsed)).toBe(due);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [200 * 1024 * 1024, '200 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('%d → %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

function sink(isTTY: boolean) {
  let text = '';
  const out = Object.assign(new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), { isTTY, columns: 100 });
  return { out, text: () => text };
}

describe('createProgress', () => {
  it('on a pipe prints a few whole lines and the summary', () => {
    let now = 0;
    const s = sink(false);
    const p = createProgress('creating nodes', 100, { out: s.out, clock: { now: () => now } });
    for (let i = 1; i <= 100; i++) {
      now += 100;
      p.update(i);
    }
    p.finish('100 nodes created');
    const lines = s.text().trimEnd().split('\n');
    // The first after a second, one per quarter crossed (25, 50, 75, 100), and the summary.
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^creating nodes .* 10\/100 10% · 9 s left$/);
    expect(lines.at(-2)).toMatch(/100\/100 100%$/);
    expect(lines.at(-1)).toBe('100 nodes created');
  });

  it('on a terminal redraws one line in place, at most ten times a second, then ends it with the summary', () => {
    let now = 0;
    const s = sink(true);
    const p = createProgress('creating nodes', 1000, { out: s.out, clock: { now: () => now } });
    for (let i = 1; i <= 1000; i++) {
      now += 1;
      p.update(i);
    }
    p.finish('1,000 nodes created');
    expect(s.text().endsWith('\r\x1b[2K1,000 nodes created\n')).toBe(true);
    // One second of updates: about ten redraws and the last, not a thousand.
    expect(s.text().split('\r\x1b[2K').length - 1).toBeLessThanOrEqual(13);
    expect(s.text()).toContain('1,000/1,000 100%');
  });

  it('on a pipe, an operation done within a second prints its summary alone', () => {
    let now = 0;
    const s = sink(false);
    const p = createProgress('reading a.tar', 10, { out: s.out, clock: { now: () => now } });
    for (let i = 1; i <= 10; i++) {
      now += 50;
      p.update(i);
    }
    p.finish('read a.tar');
    expect(s.text()).toBe('read a.tar\n');
  });

  it('ignores updates after finish', () => {
    const s = sink(false);
    const p = createProgress('x', 10, { out: s.out, clock: { now: () => 0 } });
    p.finish('done');
    p.update(5);
    expect(s.text()).toBe('done\n');
  });
});
