// The line protocol between k8ts and its proxy inside the cluster network namespace. Every
// connection to the proxy's Unix socket (a file, so it crosses network namespaces) opens with one
// JSON line saying what it is for; the proxy answers with one JSON line, and a `connect` then
// carries raw bytes both ways.
import type { Socket } from 'node:net';

/** A Service port as the proxy serves it: a cluster IP and port, and where connections go. */
export interface ProxiedPort {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  /** Ready endpoints (pod IP and target port); connections are spread over them. */
  endpoints: { ip: string; port: number }[];
  /**
   * A Unix socket outside the namespace that serves this port instead (the cluster DNS server,
   * the API server). UDP datagrams cross it with DNS-over-TCP framing (a 2-byte length).
   */
  unix?: string;
}

export type ProxyRequest =
  | { op: 'connect'; host: string; port: number; timeoutMs?: number }
  | { op: 'services'; ports: ProxiedPort[] }
  /** Runs a host command (ip, mount) from the proxy: a small process forks far faster than k8ts. */
  | { op: 'run'; cmd: string; args: string[]; input?: string }
  | { op: 'ping' };

export type ProxyReply = { ok: true; stdout?: string } | { ok: false; error: string };

/**
 * Reads one newline-terminated JSON line from a socket, leaving any bytes after it unshifted back
 * into the socket so a piped stream sees them.
 */
export function readLine(sock: Socket, maxBytes = 1 << 20): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > maxBytes) finish(new Error('request line too long'));
        return;
      }
      sock.off('data', onData);
      sock.pause();
      const rest = buf.subarray(nl + 1);
      if (rest.length) sock.unshift(rest);
      try {
        finish(undefined, JSON.parse(buf.subarray(0, nl).toString('utf8')));
      } catch (e) {
        finish(e as Error);
      }
    };
    const onEnd = () => finish(new Error('connection closed before a request line'));
    const onError = (e: Error) => finish(e);
    function finish(err?: Error, value?: unknown) {
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('error', onError);
      if (err) reject(err);
      else resolve(value);
    }
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('error', onError);
  });
}

export const writeLine = (sock: Socket, v: unknown) => sock.write(JSON.stringify(v) + '\n');
export const endLine = (sock: Socket, v: unknown) => void sock.end(JSON.stringify(v) + '\n');

/** Carries bytes both ways between two connected sockets; either one ending or failing ends both. */
export function splice(a: Socket, b: Socket): void {
  a.pipe(b).pipe(a);
  a.on('error', () => b.destroy()).on('close', () => b.destroy());
  b.on('error', () => a.destroy()).on('close', () => a.destroy());
  a.resume();
}
