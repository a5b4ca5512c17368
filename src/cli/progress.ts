// Progress of a long CLI operation (thousands of nodes, an image archive, a datastore copy). On a
// terminal one line redrawn in place; on a pipe or in a CI log a line now and then (every few
// seconds and at each quarter), so logs stay short yet show the operation is moving.
import { systemClock, type Clock } from '../util/clock.ts';

export interface ProgressOptions {
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  clock?: Pick<Clock, 'now'>;
  /** Units shown after the counts: '' (items), 'bytes'. */
  unit?: '' | 'bytes';
}

export interface Progress {
  /** `done` so far (of the total given at creation; a new total may be given). */
  update(done: number, total?: number): void;
  /** Ends the line with a summary (the summary alone on a pipe). */
  finish(summary: string): void;
}

const SI = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < SI.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${SI[i]}`;
}

const amount = (n: number, unit: ProgressOptions['unit']) => (unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));

/** `label  [#####·····] 1,200/5,000 24% · 3 s left`, cut to `width`. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, opts: { width?: number; unit?: ProgressOptions['unit'] } = {}): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const bar = 20;
  const filled = Math.round(fraction * bar);
  let line = `${label}  [${'#'.repeat(filled)}${'·'.repeat(bar - filled)}] ${amount(done, opts.unit)}/${amount(total, opts.unit)} ${Math.floor(fraction * 100)}%`;
  // A remaining-time guess only once there is enough behind it to mean something.
  if (done > 0 && done < total && elapsedMs >= 1000) line += ` · ${Math.ceil(((total - done) * elapsedMs) / done / 1000)} s left`;
  const width = opts.width ?? Infinity;
  return line.slice(0, Math.max(0, width));
}

/**
 * When a pipe gets a line: nothing in the first second (a quick operation prints its summary
 * alone), then at once, every `everyMs`, and at each quarter crossed. Pure, so the rule is tested
 * without a clock.
 */
export function plainDue(last: { at: number; fraction: number } | undefined, now: number, fraction: number, elapsedMs: number, everyMs = 5000): boolean {
  if (!last) return elapsedMs >= 1000;
  return now - last.at >= everyMs || Math.floor(fraction * 4) > Math.floor(last.fraction * 4);
}

export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const out = opts.out ?? process.stderr;
  const clock = opts.clock ?? systemClock;
  const tty = out.isTTY === true;
  const started = clock.now();
  let lastDraw = -Infinity;
  let lastPlain: { at: number; fraction: number } | undefined;
  let finished = false;
  return {
    update(done, newTotal) {
      if (finished) return;
      if (newTotal !== undefined) total = newTotal;
      const now = clock.now();
      const fraction = total > 0 ? done / total : 0;
      if (tty) {
        // Redraws at most ten times a second: a terminal is slower than a tight loop.
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        out.write(`\r\x1b[2K${progressLine(label, done, total, now - started, { width: (out.columns ?? 80) - 1, unit: opts.unit })}`);
      } else if (plainDue(lastPlain, now, fraction, now - started)) {
        lastPlain = { at: now, fraction };
        out.write(`${progressLine(label, done, total, now - started, { unit: opts.unit })}\n`);
      }
    },
    finish(summary) {
      if (finished) return;
      finished = true;
      out.write(tty ? `\r\x1b[2K${summary}\n` : `${summary}\n`);
    },
  };
}
