// iproute2 driven from k8ts: one spawn per batch of commands (`ip -batch -`), since each spawn
// costs milliseconds and a pod sandbox needs several commands.
import { spawn } from 'node:child_process';

export class CommandError extends Error {}

/** Runs a program, resolving with stdout; rejects with its stderr when it exits non-zero. */
export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => reject(new CommandError(`${cmd}: ${e.message}`)));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new CommandError(`${cmd} ${args.join(' ')}: ${err.trim() || `exit code ${code}`}`))));
    // A program that exits without reading its input closes the pipe first.
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

/** Runs iproute2 commands (without the leading `ip`) in one process, inside netns when given. */
export function ipBatch(commands: string[], netns?: string): Promise<string> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  return run('ip', args, commands.join('\n') + '\n');
}
