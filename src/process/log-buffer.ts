// A container's output as the runtime keeps it: lines split per stream (a partial line waits for
// its newline), stamped on arrival, kept in memory up to a cap for `kubectl logs`, and appended
// to a file in the CRI log format (`<RFC 3339 nano> stdout F <text>`) as containerd writes.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { LogLine } from '../node/runtime.ts';

const MAX_LINES = 20_000;

export class LogBuffer {
  readonly lines: LogLine[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private readonly followers = new Set<(l: LogLine | undefined) => void>();
  private readonly file?: WriteStream;
  private ended = false;

  constructor(
    path: string | undefined,
    private readonly now: () => number,
  ) {
    if (path) this.file = createWriteStream(path, { flags: 'a' }).on('error', () => {});
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop()!;
    for (const p of parts) this.push(stream, p);
  }

  /** The container ended: flush partial lines, tell followers. */
  end(): void {
    if (this.ended) return;
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.push(s, this.partial[s]), (this.partial[s] = '');
    this.ended = true;
    for (const f of this.followers) f(undefined);
    this.followers.clear();
    this.file?.end();
  }

  follow(onLine: (l: LogLine | undefined) => void): () => void {
    if (this.ended) {
      queueMicrotask(() => onLine(undefined));
      return () => {};
    }
    this.followers.add(onLine);
    return () => this.followers.delete(onLine);
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    const line = { at: this.now(), text };
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.file?.write(`${new Date(line.at).toISOString()} ${stream} F ${text}\n`);
    for (const f of this.followers) f(line);
  }
}
