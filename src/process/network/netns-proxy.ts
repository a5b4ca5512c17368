// The proxy that lives inside the cluster network namespace (started by cluster-network.ts under
// nsenter): it is the one process there that k8ts talks to. It opens connections to pod addresses
// for k8ts (port-forward, HTTP and TCP probes, NodePorts) and serves Service cluster IPs as
// kube-proxy's userspace mode did: a listener per Service port, each connection or datagram sent
// to one ready endpoint, or across a Unix socket to a server outside the namespace (cluster DNS,
// the API server). The whole service range is routed locally in the namespace, so any cluster IP
// can be bound without adding addresses.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { run } from './ip.ts';
import { endLine, readLine, splice, writeLine, type ProxiedPort, type ProxyRequest } from './protocol.ts';

const UDP_IDLE_MS = 60_000;

interface Listener {
  /** Serve this spec from now on (endpoints changed). */
  update(spec: ProxiedPort): void;
  close(): void;
}

/** A port's current spec and a round-robin over its endpoints (kube-proxy picks at random; either spreads the load). */
class Target {
  private i = 0;
  constructor(public spec: ProxiedPort) {}
  update(spec: ProxiedPort): void {
    this.spec = spec;
    this.i = 0;
  }
  pick(): { ip: string; port: number } | undefined {
    const eps = this.spec.endpoints;
    return eps.length ? eps[this.i++ % eps.length] : undefined;
  }
}

function tcpListener(spec: ProxiedPort): Listener {
  const t = new Target(spec);
  const server: Server = createServer((client) => {
    const ep = t.spec.unix ? undefined : t.pick();
    if (!t.spec.unix && !ep) return client.destroy(); // no endpoints: refused, as kube-proxy rejects
    splice(client, t.spec.unix ? connect(t.spec.unix) : connect(ep!.port, ep!.ip));
  });
  server.on('error', () => {});
  server.listen(spec.port, spec.ip);
  return { update: (s) => t.update(s), close: () => server.close() };
}

/** UDP: one upstream socket per client address, dropped after a minute of silence. */
function udpListener(spec: ProxiedPort): Listener {
  const t = new Target(spec);
  const sock: UdpSocket = createSocket('udp4');
  const sessions = new Map<string, { send(msg: Buffer): void; close(): void; last: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, s] of sessions) if (now - s.last > UDP_IDLE_MS) (s.close(), sessions.delete(k));
  }, UDP_IDLE_MS / 2);
  sweep.unref();
  const session = (addr: string, port: number) => {
    const key = `${addr}:${port}`;
    let s = sessions.get(key);
    if (s) return s;
    const reply = (msg: Buffer) => sock.send(msg, port, addr);
    if (t.spec.unix) {
      // Datagrams over a stream: each framed with its 2-byte length, as DNS over TCP.
      const up = connect(t.spec.unix);
      let buf = Buffer.alloc(0);
      up.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const n = buf.readUInt16BE(0);
          reply(buf.subarray(2, 2 + n));
          buf = buf.subarray(2 + n);
        }
      });
      up.on('error', () => sessions.delete(key)).on('close', () => sessions.delete(key));
      s = {
        last: Date.now(),
        send: (msg) => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(msg.length);
          up.write(Buffer.concat([len, msg]));
        },
        close: () => up.destroy(),
      };
    } else {
      const ep = t.pick();
      if (!ep) return undefined;
      const up = createSocket('udp4');
      up.on('message', (msg) => reply(msg));
      up.on('error', () => sessions.delete(key));
      s = { last: Date.now(), send: (msg) => up.send(msg, ep.port, ep.ip), close: () => up.close() };
    }
    sessions.set(key, s);
    return s;
  };
  sock.on('message', (msg, rinfo) => {
    const s = session(rinfo.address, rinfo.port);
    if (!s) return;
    s.last = Date.now();
    s.send(msg);
  });
  sock.on('error', () => {});
  sock.bind(spec.port, spec.ip);
  return {
    update: (s) => t.update(s),
    close: () => {
      clearInterval(sweep);
      for (const s of sessions.values()) s.close();
      sock.close();
    },
  };
}

export class ServiceListeners {
  private readonly byKey = new Map<string, Listener>();

  /** Opens, updates and closes listeners so exactly these ports are served. */
  apply(ports: ProxiedPort[]): void {
    const wanted = new Map(ports.map((p) => [`${p.ip}:${p.port}/${p.protocol}`, p]));
    for (const [key, l] of this.byKey) {
      if (!wanted.has(key)) {
        l.close();
        this.byKey.delete(key);
      }
    }
    for (const [key, p] of wanted) {
      const l = this.byKey.get(key);
      if (l) l.update(p);
      else this.byKey.set(key, p.protocol === 'UDP' ? udpListener(p) : tcpListener(p));
    }
  }

  close(): void {
    for (const l of this.byKey.values()) l.close();
    this.byKey.clear();
  }
}

async function handle(sock: Socket, services: ServiceListeners): Promise<void> {
  let req: ProxyRequest;
  try {
    req = (await readLine(sock)) as ProxyRequest;
  } catch {
    return void sock.destroy();
  }
  if (req.op === 'ping') return endLine(sock, { ok: true });
  if (req.op === 'services') {
    services.apply(req.ports);
    return endLine(sock, { ok: true });
  }
  if (req.op === 'run') {
    run(req.cmd, req.args, req.input).then(
      (stdout) => endLine(sock, { ok: true, stdout }),
      (e: Error) => endLine(sock, { ok: false, error: e.message }),
    );
    return;
  }
  if (req.op !== 'connect') return endLine(sock, { ok: false, error: 'unknown request' });
  const upstream = connect(req.port, req.host);
  const timer = setTimeout(() => upstream.destroy(new Error(`connect ${req.host}:${req.port}: timed out`)), req.timeoutMs ?? 10_000);
  upstream.once('connect', () => {
    clearTimeout(timer);
    writeLine(sock, { ok: true });
    splice(sock, upstream);
  });
  upstream.once('error', (e) => {
    clearTimeout(timer);
    if (upstream.connecting || !sock.writableEnded) {
      const code = (e as NodeJS.ErrnoException).code;
      endLine(sock, { ok: false, error: code === 'ECONNREFUSED' ? `dial tcp ${req.host}:${req.port}: connect: connection refused` : e.message });
    }
    sock.destroy();
  });
  sock.on('error', () => upstream.destroy());
  sock.on('close', () => upstream.destroy());
}

/** Serves the proxy on a Unix socket until the parent goes away (its stdin closes). */
export function runNetnsProxy(socketPath: string): void {
  rmSync(socketPath, { force: true });
  const services = new ServiceListeners();
  const server = createServer((sock) => void handle(sock, services));
  server.listen(socketPath, () => process.stdout.write('ready\n'));
  const quit = () => {
    services.close();
    server.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  };
  process.stdin.on('end', quit).on('close', quit).resume();
  process.on('SIGTERM', quit);
}
