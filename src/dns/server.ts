// The cluster DNS server: UDP and TCP (length-prefixed, any number of queries per connection) on
// one port number. Answers come from the record builder over a DnsView; encoded answers are
// cached by lowercased question and dropped whenever the view's generation moves, and a cache hit
// is a copy with the query's ID, flags, question bytes and EDNS fields written in — no decoding.
// Names the cluster zone does not own are relayed to upstream name servers (2 s, then SERVFAIL;
// none configured: REFUSED). ExternalName CNAMEs pointing outside the zone are chased upstream.
//
// Header bits as CoreDNS sets them: QR, AA on the plugin's answers, RD and CD copied, RA clear;
// relayed answers keep the upstream's bits. Malformed queries get FORMERR, other opcodes NOTIMP,
// EDNS versions above 0 BADVERS; responses and packets shorter than a header are dropped.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import dnsPacket, { type Answer } from 'dns-packet';
import { lowerAscii, splitName } from './names.ts';
import { buildResponse, DEFAULT_TTL, DEFAULT_ZONE, type DnsResult, type RecordOptions } from './records.ts';
import { parseResolvConf } from './resolv-conf.ts';
import { RCODES } from './rrtypes.ts';
import type { DnsView } from './view.ts';
import { cacheKey, encodeResponse, headerOnlyReply, HEADER, MAX_MESSAGE, parseQuery, patchCached, questionLabelOffsets, questionName, RD, replyFlags, sizeLimit, type Encoded, type ParseResult, type Query } from './wire.ts';

export interface DnsServerOptions {
  view: DnsView;
  /** Cluster zone (default cluster.local). */
  zone?: string;
  /** TTL of cluster records (default 5). */
  ttl?: number;
  /** The DNS Service's cluster IP(s), for NS glue (kube-system/kube-dns). */
  dnsIP?: string | readonly string[];
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port for both UDP and TCP (default 53; 0 picks a free one). */
  port?: number;
  /**
   * Where other names go: `ip`, `ip:port` or `[ipv6]:port` entries, or 'system' (default) for the
   * name servers of /etc/resolv.conf other than this server. An empty list means REFUSED.
   */
  upstream?: readonly string[] | 'system';
  /** Upstream timeout (default 2000 ms). */
  upstreamTimeoutMs?: number;
  /** Path read for upstream: 'system' (default /etc/resolv.conf). */
  resolvConfPath?: string;
  /** Most cached responses kept (default 100,000). */
  cacheSize?: number;
  log?: (m: string) => void;
}

export interface DnsServerStats {
  queries: number;
  udp: number;
  tcp: number;
  cacheHits: number;
  cacheMisses: number;
  forwarded: number;
  upstreamTimeouts: number;
  malformed: number;
  errors: number;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  readonly stats: DnsServerStats;
  /** The upstream servers in use (`host:port`). */
  readonly upstreams: readonly string[];
  close(): Promise<void>;
}

interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

interface CacheEntry {
  buf: Buffer;
  optOffset: number;
  /** Holds names that keep the case of the query that made it (SRV targets). */
  caseSensitive: boolean;
  /** Truncated forms by size limit. */
  small?: Map<number, Encoded>;
}

interface Pending {
  upstream: Upstream;
  /** Lowercased question bytes the answer must carry. */
  question: string;
  timer: NodeJS.Timeout;
  done(resp: Buffer | undefined): void;
}

type Reply = (resp: Buffer) => void;

const IDLE_TCP_MS = 10_000;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const server = new Server(opts);
  await server.listen();
  return server;
}

/** Parses `ip`, `ip:port`, `[ipv6]:port` (port 53 by default). */
export function parseUpstream(s: string): Upstream | undefined {
  let host = s.trim();
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (net.isIPv4(host.split(':')[0]!) && host.includes(':')) {
    const [h, p] = host.split(':');
    host = h!;
    port = Number(p);
  }
  const family = net.isIPv4(host) ? 4 : net.isIPv6(host) ? 6 : 0;
  if (!family || !(port > 0 && port < 65536)) return undefined;
  return { host, port, family };
}

class Server implements DnsServer {
  readonly stats: DnsServerStats = { queries: 0, udp: 0, tcp: 0, cacheHits: 0, cacheMisses: 0, forwarded: 0, upstreamTimeouts: 0, malformed: 0, errors: 0 };
  host: string;
  port = 0;
  private readonly view: DnsView;
  private readonly recordOpts: RecordOptions;
  private readonly log: (m: string) => void;
  private readonly cache = new Map<string, CacheEntry>();
  private cacheGeneration = -1;
  private readonly cacheSize: number;
  private readonly timeoutMs: number;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private upstreamList: Upstream[] = [];
  private nextUpstream = 0;
  private readonly upstreamSockets = new Map<4 | 6, dgram.Socket>();
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly opts: DnsServerOptions) {
    this.view = opts.view;
    this.host = opts.host ?? '127.0.0.1';
    this.recordOpts = { zone: opts.zone ?? DEFAULT_ZONE, ttl: opts.ttl ?? DEFAULT_TTL, dnsIP: opts.dnsIP };
    this.log = opts.log ?? (() => {});
    this.cacheSize = opts.cacheSize ?? 100_000;
    this.timeoutMs = opts.upstreamTimeoutMs ?? 2000;
  }

  get upstreams(): readonly string[] {
    return this.upstreamList.map((u) => (u.family === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`));
  }

  async listen(): Promise<void> {
    const want = this.opts.port ?? 53;
    const type = net.isIPv6(this.host) ? 'udp6' : 'udp4';
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket({ type, lookup: literalLookup });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(want, this.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = net.createServer({ noDelay: true }, (sock) => this.onTcp(sock));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, this.host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        udp.close();
        // An ephemeral UDP port whose TCP twin is taken: try another.
        if (want === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
        throw e;
      }
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      break;
    }
    const udp = this.udp!;
    for (const set of [() => udp.setRecvBufferSize(4 << 20), () => udp.setSendBufferSize(4 << 20)]) {
      try {
        set();
      } catch {
        /* the system caps buffer sizes; the default is fine too */
      }
    }
    udp.on('message', (msg, rinfo) => {
      this.stats.udp++;
      this.handle(msg, 'udp', (resp) => {
        try {
          udp.send(resp, rinfo.port, rinfo.address);
        } catch (e) {
          // Closed meanwhile, or a size the system will not send.
          this.log(`dns: udp send: ${(e as Error).message}`);
        }
      });
    });
    udp.on('error', (e) => this.log(`dns: udp: ${e.message}`));
    this.upstreamList = this.resolveUpstreams();
    this.log(`dns: serving ${this.recordOpts.zone} on ${this.host}:${this.port} (udp+tcp), upstream ${this.upstreams.join(', ') || 'none'}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const s of this.upstreamSockets.values()) s.close();
    this.upstreamSockets.clear();
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
  }

  private resolveUpstreams(): Upstream[] {
    const spec = this.opts.upstream ?? 'system';
    if (spec !== 'system') return spec.map((s) => parseUpstream(s)).filter((u): u is Upstream => !!u);
    let text = '';
    try {
      text = readFileSync(this.opts.resolvConfPath ?? '/etc/resolv.conf', 'utf8');
    } catch {
      return [];
    }
    const own = new Set<string>([this.host]);
    const wildcard = this.host === '0.0.0.0' || this.host === '::';
    if (wildcard) {
      for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) own.add(a.address);
    }
    const isOwn = (u: Upstream) => u.port === this.port && (own.has(u.host) || (wildcard && (u.host.startsWith('127.') || u.host === '::1')));
    const dnsIPs = new Set(typeof this.opts.dnsIP === 'string' ? [this.opts.dnsIP] : (this.opts.dnsIP ?? []));
    return parseResolvConf(text)
      .nameservers.map((s) => parseUpstream(s))
      .filter((u): u is Upstream => !!u)
      // Never forward to ourselves (or to the cluster DNS address, which is us too).
      .filter((u) => !isOwn(u) && !dnsIPs.has(u.host));
  }

  // ---- queries ----------------------------------------------------------------------------------

  private onTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(IDLE_TCP_MS, () => sock.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    const reply = (resp: Buffer) => {
      if (sock.destroyed || !sock.writable) return;
      const framed = Buffer.allocUnsafe(resp.length + 2);
      framed.writeUInt16BE(resp.length, 0);
      resp.copy(framed, 2);
      sock.write(framed);
    };
    sock.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      let off = 0;
      while (buffered.length - off >= 2) {
        const n = buffered.readUInt16BE(off);
        if (buffered.length - off - 2 < n) break;
        const msg = buffered.subarray(off + 2, off + 2 + n);
        off += 2 + n;
        this.stats.tcp++;
        this.handle(msg, 'tcp', reply);
      }
      if (off) buffered = buffered.subarray(off);
    });
  }

  /** Answers one message; never throws. */
  handle(msg: Buffer, proto: 'udp' | 'tcp', reply: Reply): void {
    this.stats.queries++;
    let parsed: ParseResult;
    try {
      parsed = parseQuery(msg);
    } catch (e) {
      this.stats.errors++;
      this.log(`dns: parse: ${(e as Error).message}`);
      return;
    }
    if (!parsed.ok) {
      this.stats.malformed++;
      if (parsed.action === 'reply') reply(headerOnlyReply(parsed.id, parsed.flags, parsed.rcode));
      return;
    }
    const q = parsed.query;
    try {
      if (q.edns && q.edns.version > 0) {
        // BADVERS (16): 0 in the header, 1 in the OPT's extended rcode.
        reply(encodeResponse({ id: q.id, flags: replyFlags(q.flags, { rcode: 0 }), question: msg.subarray(HEADER, q.questionEnd), opt: { udpSize: q.edns.udpSize, flags: 0, extRcode: 1 } }).buf);
        return;
      }
      const generation = this.view.generation;
      if (generation !== this.cacheGeneration) {
        this.cache.clear();
        this.cacheGeneration = generation;
      }
      const key = cacheKey(msg, q);
      const limit = sizeLimit(q, proto);
      const hit = this.cache.get(key);
      if (hit && (!hit.caseSensitive || sameBytes(hit.buf, msg, HEADER, q.qnameEnd))) {
        const fit = hit.buf.length <= limit ? hit : hit.small?.get(limit);
        if (fit) {
          this.stats.cacheHits++;
          reply(patchCached(fit.buf, fit.optOffset, msg, q));
          return;
        }
      }
      this.stats.cacheMisses++;
      this.answer(msg, q, key, proto, limit, reply);
    } catch (e) {
      this.stats.errors++;
      this.log(`dns: ${(e as Error).stack ?? e}`);
      reply(this.bare(msg, q, 'SERVFAIL'));
    }
  }

  private answer(msg: Buffer, q: Query, key: string, proto: 'udp' | 'tcp', limit: number, reply: Reply): void {
    const name = questionName(msg, q);
    const result = buildResponse(this.view, { name, type: q.qtype, class: q.qclass }, this.recordOpts);
    if (result.forward) return this.forward(msg, q, proto, reply);
    if (result.chase) {
      const chase = result.chase;
      void this.lookupUpstream(chase.name, chase.type).then((extra) => {
        try {
          reply(this.encode(msg, q, { ...result, answers: [...result.answers, ...extra] }, limit).buf);
        } catch (e) {
          this.stats.errors++;
          this.log(`dns: ${(e as Error).message}`);
          reply(this.bare(msg, q, 'SERVFAIL'));
        }
      });
      return;
    }
    const full = this.encode(msg, q, result, MAX_MESSAGE);
    const fits = full.buf.length <= limit ? full : this.encode(msg, q, result, limit);
    if (result.rcode === 'NOERROR' || result.rcode === 'NXDOMAIN') {
      let entry = this.cache.get(key);
      if (!entry || (entry.caseSensitive && !sameBytes(entry.buf, msg, HEADER, q.qnameEnd))) {
        if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
        entry = { buf: full.buf, optOffset: full.optOffset, caseSensitive: full.hasUncompressedNames };
        this.cache.set(key, entry);
      }
      if (fits !== full) (entry.small ??= new Map()).set(limit, fits);
    }
    reply(fits.buf);
  }

  private encode(msg: Buffer, q: Query, r: DnsResult, limit: number): Encoded {
    const questionNames = [{ name: questionName(msg, q), offset: HEADER }];
    if (r.zone) {
      const offsets = questionLabelOffsets(msg, q);
      const n = splitName(r.zone).length;
      if (n > 0 && n <= offsets.length) questionNames.push({ name: r.zone, offset: offsets[offsets.length - n]! });
    }
    return encodeResponse({
      id: q.id,
      flags: replyFlags(q.flags, { aa: r.authoritative, rcode: RCODES[r.rcode] }),
      question: msg.subarray(HEADER, q.questionEnd),
      questionNames,
      answers: r.answers,
      authority: r.authority,
      additionals: r.additionals,
      opt: q.edns ? { udpSize: q.edns.udpSize, flags: q.edns.flags & 0x8000 } : undefined,
      limit,
    });
  }

  /** A reply with the question echoed and nothing else (REFUSED, SERVFAIL). */
  private bare(msg: Buffer, q: Query, rcode: 'REFUSED' | 'SERVFAIL'): Buffer {
    return this.encode(msg, q, { rcode, authoritative: false, answers: [], authority: [], additionals: [] }, sizeLimit(q, 'udp')).buf;
  }

  // ---- upstream ---------------------------------------------------------------------------------

  private pickUpstream(): Upstream | undefined {
    const list = this.upstreamList;
    if (!list.length) return undefined;
    return list[this.nextUpstream++ % list.length];
  }

  private forward(msg: Buffer, q: Query, proto: 'udp' | 'tcp', reply: Reply): void {
    const up = this.pickUpstream();
    if (!up) return reply(this.bare(msg, q, 'REFUSED'));
    this.stats.forwarded++;
    const relay = (resp: Buffer | undefined) => {
      if (this.closed) return;
      if (!resp) return reply(this.bare(msg, q, 'SERVFAIL'));
      const out = Buffer.from(resp);
      out.writeUInt16BE(q.id, 0);
      reply(out);
    };
    // The same transport as the client, as CoreDNS's forward plugin does.
    if (proto === 'tcp') void this.exchangeTcp(up, msg, q.questionEnd).then(relay);
    else this.exchangeUdp(up, msg, q.questionEnd, relay);
  }

  private upstreamSocket(family: 4 | 6): dgram.Socket {
    let s = this.upstreamSockets.get(family);
    if (s) return s;
    s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    s.on('message', (resp, rinfo) => this.onUpstreamReply(resp, rinfo));
    s.on('error', (e) => this.log(`dns: upstream socket: ${e.message}`));
    s.bind(0);
    s.unref();
    this.upstreamSockets.set(family, s);
    return s;
  }

  private exchangeUdp(up: Upstream, msg: Buffer, questionEnd: number, done: (resp: Buffer | undefined) => void): void {
    let id = -1;
    for (let i = 0; i < 64; i++) {
      const candidate = (Math.random() * 0x10000) | 0;
      if (!this.pending.has(candidate)) {
        id = candidate;
        break;
      }
    }
    if (id < 0) return done(undefined);
    const out = Buffer.from(msg);
    out.writeUInt16BE(id, 0);
    const timer = setTimeout(() => {
      if (this.pending.get(id)?.timer !== timer) return;
      this.pending.delete(id);
      this.stats.upstreamTimeouts++;
      done(undefined);
    }, this.timeoutMs);
    this.pending.set(id, { upstream: up, question: lowerBytes(msg, HEADER, questionEnd), timer, done });
    this.upstreamSocket(up.family).send(out, up.port, up.host, (err) => {
      if (!err) return;
      const p = this.pending.get(id);
      if (p?.timer !== timer) return;
      clearTimeout(timer);
      this.pending.delete(id);
      done(undefined);
    });
  }

  private onUpstreamReply(resp: Buffer, rinfo: dgram.RemoteInfo): void {
    if (resp.length < HEADER) return;
    const p = this.pending.get(resp.readUInt16BE(0));
    if (!p || rinfo.port !== p.upstream.port || rinfo.address !== p.upstream.host) return;
    // The answer must be to our question (a forged or stale datagram is dropped).
    if (resp.length < HEADER + p.question.length || lowerBytes(resp, HEADER, HEADER + p.question.length) !== p.question) return;
    clearTimeout(p.timer);
    this.pending.delete(resp.readUInt16BE(0));
    p.done(resp);
  }

  private exchangeTcp(up: Upstream, msg: Buffer, questionEnd: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = net.connect({ host: up.host, port: up.port });
      let got = Buffer.alloc(0);
      let settled = false;
      const finish = (resp: Buffer | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (!resp) this.stats.upstreamTimeouts++;
        resolve(resp);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      sock.on('error', () => finish(undefined));
      sock.on('connect', () => {
        const framed = Buffer.allocUnsafe(msg.length + 2);
        framed.writeUInt16BE(msg.length, 0);
        msg.copy(framed, 2);
        sock.write(framed);
      });
      sock.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
        const resp = got.subarray(2, 2 + got.readUInt16BE(0));
        const question = lowerBytes(msg, HEADER, questionEnd);
        finish(resp.length >= HEADER + question.length && lowerBytes(resp, HEADER, HEADER + question.length) === question ? resp : undefined);
      });
      sock.on('close', () => finish(undefined));
    });
  }

  /** Answers for a name from upstream (ExternalName targets); none on failure. */
  private lookupUpstream(name: string, type: 'A' | 'AAAA'): Promise<Answer[]> {
    const up = this.pickUpstream();
    if (!up) return Promise.resolve([]);
    const query = dnsPacket.encode({ type: 'query', id: 0, flags: RD, questions: [{ name, type, class: 'IN' }] });
    const qp = parseQuery(query);
    if (!qp.ok) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.exchangeUdp(up, query, qp.query.questionEnd, (resp) => {
        if (!resp) return resolve([]);
        try {
          resolve((dnsPacket.decode(resp).answers ?? []).filter((a) => a.type !== 'OPT'));
        } catch {
          resolve([]);
        }
      });
    });
  }
}

/**
 * Replies go to the address a datagram came from, always an IP literal: answer dgram's address
 * lookup at once instead of through dns.lookup on every send.
 */
const literalLookup = ((host: string, opts: unknown, cb: (err: Error | null, address: string, family: number) => void) => {
  const family = typeof opts === 'number' ? opts : net.isIPv6(host) ? 6 : 4;
  if (net.isIP(host)) cb(null, host, family);
  else dns.lookup(host, family, cb);
}) as unknown as dgram.SocketOptions['lookup'];

function lowerBytes(buf: Buffer, start: number, end: number): string {
  return lowerAscii(buf.toString('latin1', start, end));
}

function sameBytes(a: Buffer, b: Buffer, start: number, end: number): boolean {
  return a.length >= end && a.compare(b, start, end, start, end) === 0;
}
