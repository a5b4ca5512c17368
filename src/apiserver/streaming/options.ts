// The query options of pods/exec, pods/attach and pods/portforward (PodExecOptions,
// PodAttachOptions, PodPortForwardOptions) and the Status bodies the error channel carries, as
// the kubelet's remotecommand and portforward servers check and write them. Pure functions.
import type { Status } from '../../api/meta/types.ts';
import type { StreamOptions } from '../../node/runtime.ts';

/** A Status as the error channel carries it (upstream leaves `code` out of exit statuses). */
export type StreamStatus = Omit<Status, 'code'> & { code?: number };

export type StreamOp = 'exec' | 'attach' | 'portforward';

export interface ExecOptions extends StreamOptions {
  container?: string;
  command: string[];
}

/** A request the kubelet refuses before upgrading: plain text, as it answers (kubectl prints "unable to upgrade connection: …"). */
export class StreamRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

// The API takes "true"; the kubelet's own query form is "1".
const flag = (q: URLSearchParams, name: string) => {
  const v = q.get(name);
  return v === 'true' || v === '1';
};

/** Stream options of an exec or attach; with a tty, stderr is merged into stdout (remotecommand NewOptions). */
export function parseExecOptions(q: URLSearchParams, op: 'exec' | 'attach'): ExecOptions {
  const tty = flag(q, 'tty');
  const stdin = flag(q, 'stdin');
  const stdout = flag(q, 'stdout');
  const stderr = flag(q, 'stderr') && !tty;
  if (!stdin && !stdout && !stderr) throw new StreamRefusal(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const command = op === 'exec' ? q.getAll('command') : [];
  if (op === 'exec' && command.length === 0) throw new StreamRefusal(400, 'you must specify a command to run');
  return { stdin, stdout, stderr, tty, command, container: q.get('container') || undefined };
}

/** Ports of a WebSocket port-forward: repeated or comma-separated `ports` (the kubelet's `port`). */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('ports'), ...q.getAll('port')];
  if (raw.length === 0) throw new StreamRefusal(400, 'query parameter "port" is required');
  const ports: number[] = [];
  for (const s of raw) {
    if (!s) throw new StreamRefusal(400, 'query parameter "port" cannot be empty');
    for (const p of s.split(',')) ports.push(parsePort(p, s));
  }
  return ports;
}

/** A port as a header or query carries it: 1-65535. */
export function parsePort(p: string, whole = p): number {
  if (!/^\d+$/.test(p) || Number(p) > 65535) throw new StreamRefusal(400, `unable to parse ${JSON.stringify(whole)} as a port`);
  const n = Number(p);
  if (n < 1) throw new StreamRefusal(400, `port ${JSON.stringify(whole)} must be > 0`);
  return n;
}

/** The error channel's last word: Success, or the exit code as NonZeroExitCode (remotecommand's v4 status). */
export function exitStatus(code: number): StreamStatus {
  if (code === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A failure after the upgrade (the command could not start, the container went away). */
export function failureStatus(message: string): StreamStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/**
 * How a session ended, once its output has been sent: exec reports the command's exit code, attach
 * only that it is over; a session that failed reports why.
 */
export async function sessionStatus(session: { done: Promise<number> }, outputs: Promise<unknown>[], op: 'exec' | 'attach'): Promise<StreamStatus> {
  try {
    const code = await session.done;
    await Promise.all(outputs);
    return exitStatus(op === 'attach' ? 0 : code);
  } catch (e) {
    return failureStatus((e as Error).message);
  }
}

/** Exec and attach subprotocols: v5 adds the close signal (stdin EOF); base64 variants send text frames. */
export const REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
/** Port-forward over WebSocket channels (client-node), and SPDY tunnelled through WebSocket (kubectl). */
export const PORT_FORWARD_PROTOCOLS = ['SPDY/3.1+portforward.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** The first protocol the client offers that the server speaks; '' when the client offers none. */
export function negotiate(offered: string | undefined, supported: readonly string[]): string | undefined {
  const list = (offered ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) return '';
  return list.find((p) => supported.includes(p));
}
