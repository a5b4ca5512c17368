import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './server.ts';
import { clusterIP, endpointSlice, externalName, headless, indexOf, namespace, rrText } from './test-fixtures.ts';
import type { DnsIndex } from './view.ts';

const RD = dnsPacket.RECURSION_DESIRED;

/** dns-packet's decode; its typings leave out rcode and opcode. */
const decode = (b: Buffer) => dnsPacket.decode(b) as DecodedPacket & { rcode: string; opcode: string };

function query(name: string, type: string, opts: { id?: number; edns?: { size: number; do?: boolean; version?: number } } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 0x1234,
    flags: RD,
    questions: [{ name, type: type as 'A' }],
    ...(opts.edns
      ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns.size, extendedRcode: 0, ednsVersion: opts.edns.version ?? 0, flags: opts.edns.do ? 0x8000 : 0, flag_do: !!opts.edns.do, options: [] }] }
      : {}),
  });
}

/** One datagram out, the first datagram back (rejects after `ms`). */
function udpExchange(port: number, msg: Buffer, ms = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no UDP answer'));
    }, ms);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

/** Writes the framed messages on one connection (as one write) and collects `want` framed answers. */
function tcpExchange(port: number, msgs: Buffer[], want = msgs.length, chunk?: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const answers: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP: ${answers.length} of ${want} answers`));
    }, 3000);
    sock.on('connect', () => {
      const all = Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])));
      if (!chunk) sock.write(all);
      // Byte by byte (or in small pieces): frames split across reads.
      else for (let i = 0; i < all.length; i += chunk) sock.write(all.subarray(i, i + chunk));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        answers.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (answers.length >= want) {
        clearTimeout(timer);
        sock.destroy();
        resolve(answers);
      }
    });
    sock.on('error', reject);
  });
}

const ask = async (port: number, name: string, type: string, opts: Parameters<typeof query>[2] = {}) => decode(await udpExchange(port, query(name, type, opts)));
const answersOf = (d: DecodedPacket) => (d.answers ?? []).map(rrText).sort();

/** A tiny upstream name server on UDP and TCP: answers from `table`, or stays silent. */
async function fakeUpstream(table: Record<string, Answer[]>, opts: { silent?: boolean } = {}) {
  const seen: { name: string; type: string; proto: string }[] = [];
  const respond = (msg: Buffer, proto: string): Buffer | undefined => {
    const q = decode(msg);
    const question = q.questions![0]!;
    seen.push({ name: question.name, type: question.type, proto });
    if (opts.silent) return undefined;
    const answers = table[`${question.name.toLowerCase()} ${question.type}`];
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: RD | dnsPacket.RECURSION_AVAILABLE | (answers ? 0 : 3),
      questions: q.questions,
      answers: answers ?? [],
    });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => {
    const out = respond(m, 'udp');
    if (out) udp.send(out, r.port, r.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const tcp = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      const out = respond(d.subarray(2, 2 + d.readUInt16BE(0)), 'tcp');
      if (out) s.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
    });
    s.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', resolve);
  });
  return {
    address: `127.0.0.1:${port}`,
    seen,
    close: () => Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]),
  };
}

/** Seeded PRNG (mulberry32), so a failing fuzz run can be repeated. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixture = () => [
  namespace('demo'),
  clusterIP('demo', 'web', '10.96.12.7', [{ name: 'http', port: 80 }]),
  headless('demo', 'db', [{ name: 'pg', port: 5432 }]),
  endpointSlice('demo', 'db-a', 'db', [0, 1, 2].map((i) => ({ ip: `10.244.0.${11 + i}`, hostname: `db-${i}`, ready: true })), [{ name: 'pg', port: 5432 }]),
  headless('demo', 'big', [{ name: 'p', port: 1 }]),
  endpointSlice('demo', 'big-a', 'big', Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.1.${i + 1}` })), [{ name: 'p', port: 1 }]),
  externalName('demo', 'ext', 'example.com'),
];

describe('DNS server', () => {
  const servers: DnsServer[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  const start = async (opts: Partial<DnsServerOptions> & { view?: DnsIndex } = {}) => {
    const s = await startDnsServer({ view: indexOf(fixture()), host: '127.0.0.1', port: 0, upstream: [], dnsIP: '10.96.0.10', ...opts });
    servers.push(s);
    return s;
  };

  it('answers over UDP with QR, AA and RD set, RA clear, the question echoed', async () => {
    const s = await start();
    expect(s.port).toBeGreaterThan(0);
    const d = await ask(s.port, 'web.demo.svc.cluster.local', 'A', { id: 777 });
    expect(d).toMatchObject({ id: 777, flag_qr: true, flag_aa: true, flag_rd: true, flag_ra: false, flag_tc: false, rcode: 'NOERROR' });
    expect(d.questions).toEqual([{ name: 'web.demo.svc.cluster.local', type: 'A', class: 'IN' }]);
    expect(answersOf(d)).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    const nx = await ask(s.port, 'nope.demo.svc.cluster.local', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities!.map(rrText)[0]).toMatch(/^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
  });

  it('echoes each query’s spelling, also when the answer comes from the cache', async () => {
    const s = await start();
    const a = await ask(s.port, 'web.demo.svc.cluster.local', 'A');
    expect(a.answers![0]!.name).toBe('web.demo.svc.cluster.local');
    const hits = s.stats.cacheHits;
    const b = await ask(s.port, 'WEB.Demo.SVC.Cluster.LOCAL', 'A', { id: 9 });
    expect(s.stats.cacheHits).toBe(hits + 1);
    expect(b.id).toBe(9);
    expect(b.questions![0]!.name).toBe('WEB.Demo.SVC.Cluster.LOCAL');
    expect(answersOf(b)).toEqual(['WEB.Demo.SVC.Cluster.LOCAL. 5 IN A 10.96.12.7']);
    // Negative answers are cached too, and their SOA follows the spelling of the zone.
    await ask(s.port, 'nope.demo.svc.cluster.local', 'A');
    const nx = await ask(s.port, 'NOPE.demo.svc.CLUSTER.local', 'A');
    expect(s.stats.cacheHits).toBe(hits + 2);
    expect(nx.authorities!.map(rrText)[0]).toMatch(/^CLUSTER\.local\. 5 IN SOA ns\.dns\.CLUSTER\.local\. hostmaster\.CLUSTER\.local\. /);
    // SRV targets keep the zone's spelling: another spelling is answered afresh, not from the cache.
    const srv1 = await ask(s.port, '_pg._tcp.db.demo.svc.cluster.local', 'SRV');
    const srv2 = await ask(s.port, '_pg._tcp.db.demo.svc.Cluster.Local', 'SRV');
    expect(answersOf(srv1)[0]).toBe('_pg._tcp.db.demo.svc.cluster.local. 5 IN SRV 0 33 5432 db-0.db.demo.svc.cluster.local.');
    expect(answersOf(srv2)[0]).toBe('_pg._tcp.db.demo.svc.Cluster.Local. 5 IN SRV 0 33 5432 db-0.db.demo.svc.Cluster.Local.');
  });

  it('drops cached answers when the view changes', async () => {
    const view = indexOf(fixture());
    const s = await start({ view });
    expect(answersOf(await ask(s.port, 'web.demo.svc.cluster.local', 'A'))).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    expect((await ask(s.port, 'api.demo.svc.cluster.local', 'A')).rcode).toBe('NXDOMAIN');
    expect(answersOf(await ask(s.port, 'web.demo.svc.cluster.local', 'A'))).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    const hits = s.stats.cacheHits;
    expect(hits).toBeGreaterThan(0);

    view.upsertService(clusterIP('demo', 'web', '10.96.12.8', [{ name: 'http', port: 80 }]));
    view.upsertService(clusterIP('demo', 'api', '10.96.12.9', [{ name: 'http', port: 80 }]));
    expect(answersOf(await ask(s.port, 'web.demo.svc.cluster.local', 'A'))).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.8']);
    expect(answersOf(await ask(s.port, 'api.demo.svc.cluster.local', 'A'))).toEqual(['api.demo.svc.cluster.local. 5 IN A 10.96.12.9']);
    expect(s.stats.cacheHits).toBe(hits);
  });

  it('truncates UDP answers over 512 bytes (or the EDNS size) with TC, and sends them whole over TCP', async () => {
    const s = await start();
    const raw = await udpExchange(s.port, query('big.demo.svc.cluster.local', 'A'));
    expect(raw.length).toBeLessThanOrEqual(512);
    const small = decode(raw);
    expect(small.flag_tc).toBe(true);
    expect(small.answers!.length).toBeGreaterThan(0);
    expect(small.answers!.length).toBeLessThan(60);
    // Again: the truncated form comes from the cache.
    const hits = s.stats.cacheHits;
    expect(decode(await udpExchange(s.port, query('big.demo.svc.cluster.local', 'A'))).flag_tc).toBe(true);
    expect(s.stats.cacheHits).toBe(hits + 1);

    const edns = await ask(s.port, 'big.demo.svc.cluster.local', 'A', { edns: { size: 4096, do: true } });
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers).toHaveLength(60);
    expect(edns.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 4096, flag_do: true }]);
    const ednsSmall = decode(await udpExchange(s.port, query('big.demo.svc.cluster.local', 'A', { edns: { size: 600 } })));
    expect(ednsSmall.flag_tc).toBe(true);
    expect(ednsSmall.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 600, flag_do: false }]);

    const [tcp] = await tcpExchange(s.port, [query('big.demo.svc.cluster.local', 'A')]);
    const whole = decode(tcp!);
    expect(whole.flag_tc).toBe(false);
    expect(whole.answers).toHaveLength(60);
  });

  it('answers several queries on one TCP connection, also when frames arrive in pieces', async () => {
    const s = await start();
    const answers = await tcpExchange(s.port, [query('web.demo.svc.cluster.local', 'A', { id: 1 }), query('db-1.db.demo.svc.cluster.local', 'A', { id: 2 })]);
    const byId = new Map(answers.map((a) => decode(a)).map((d) => [d.id, d]));
    expect(answersOf(byId.get(1)!)).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    expect(answersOf(byId.get(2)!)).toEqual(['db-1.db.demo.svc.cluster.local. 5 IN A 10.244.0.12']);
    const pieces = await tcpExchange(s.port, [query('web.demo.svc.cluster.local', 'A', { id: 3 }), query('nope.demo.svc.cluster.local', 'A', { id: 4 })], 2, 1);
    expect(pieces.map((a) => decode(a)).map((d) => [d.id, d.rcode]).sort()).toEqual([
      [3, 'NOERROR'],
      [4, 'NXDOMAIN'],
    ]);
  });

  it('answers FORMERR to malformed queries and NOTIMP to other opcodes, keeping the ID', async () => {
    const s = await start();
    const good = query('web.demo.svc.cluster.local', 'A', { id: 0xbeef });
    const cut = decode(await udpExchange(s.port, good.subarray(0, good.length - 3)));
    expect(cut).toMatchObject({ id: 0xbeef, flag_qr: true, rcode: 'FORMERR' });
    const counts = Buffer.from(good);
    counts.writeUInt16BE(3, 4);
    expect(decode(await udpExchange(s.port, counts))).toMatchObject({ id: 0xbeef, rcode: 'FORMERR' });
    const notify = Buffer.from(good);
    notify.writeUInt16BE((2 << 11) | RD, 2);
    expect(decode(await udpExchange(s.port, notify))).toMatchObject({ id: 0xbeef, rcode: 'NOTIMP', opcode: 'STATUS' });
    const [overTcp] = await tcpExchange(s.port, [good.subarray(0, 20)]);
    expect(decode(overTcp!)).toMatchObject({ id: 0xbeef, rcode: 'FORMERR' });
    // EDNS version 1: BADVERS (extended rcode 16), the OPT carrying the upper bits.
    const bad = decode(await udpExchange(s.port, query('web.demo.svc.cluster.local', 'A', { edns: { size: 1232, version: 1 } })));
    expect(bad.answers).toEqual([]);
    expect(bad.additionals).toMatchObject([{ type: 'OPT', extendedRcode: 1 }]);
    expect(s.stats.malformed).toBe(4);
  });

  it('survives a few thousand random, truncated and mutated packets, answering only with well-formed messages', async () => {
    const s = await start();
    const rnd = prng(20260101);
    const seeds = [
      query('web.demo.svc.cluster.local', 'A'),
      query('_pg._tcp.db.demo.svc.cluster.local', 'SRV', { edns: { size: 1232 } }),
      query('ext.demo.svc.cluster.local', 'CNAME'),
      query('7.12.96.10.in-addr.arpa', 'PTR'),
      query('cluster.local', 'NS'),
    ];
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 3;
      const base = seeds[Math.floor(rnd() * seeds.length)]!;
      if (kind === 0) packets.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256))));
      else if (kind === 1) packets.push(base.subarray(0, Math.floor(rnd() * base.length)));
      else {
        const m = Buffer.from(base);
        for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
        packets.push(m);
      }
    }
    const sock = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    for (let i = 0; i < packets.length; i += 50) {
      await Promise.all(packets.slice(i, i + 50).map((p) => new Promise<void>((resolve) => sock.send(p, s.port, '127.0.0.1', () => resolve()))));
      await new Promise((r) => setImmediate(r));
    }
    // TCP too: garbage frames, then a good query on the same connection.
    const [tcpAnswer] = await tcpExchange(s.port, [...packets.slice(0, 40).filter((p) => p.length < 12), query('web.demo.svc.cluster.local', 'A', { id: 5 })], 1);
    expect(decode(tcpAnswer!).id).toBe(5);

    const after = await ask(s.port, 'web.demo.svc.cluster.local', 'A');
    expect(answersOf(after)).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    sock.close();
    expect(s.stats.errors).toBe(0);
    expect(s.stats.malformed).toBeGreaterThan(1000);
    expect(replies.length).toBeGreaterThan(500);
    for (const r of replies) {
      const d = decode(r);
      expect(d.flag_qr).toBe(true);
    }
  });

  it('forwards other names upstream over the client’s transport and relays the answer under the client’s ID', async () => {
    const up = await fakeUpstream({ 'example.com A': [{ name: 'example.com', type: 'A', class: 'IN', ttl: 300, data: '93.184.216.34' }] });
    closers.push(up.close);
    const s = await start({ upstream: [up.address] });
    expect(s.upstreams).toEqual([up.address]);
    const d = await ask(s.port, 'example.com', 'A', { id: 4321 });
    expect(d).toMatchObject({ id: 4321, flag_ra: true, flag_aa: false, rcode: 'NOERROR' });
    expect(answersOf(d)).toEqual(['example.com. 300 IN A 93.184.216.34']);
    const [tcp] = await tcpExchange(s.port, [query('example.com', 'A', { id: 99 })]);
    expect(decode(tcp!)).toMatchObject({ id: 99, rcode: 'NOERROR' });
    // Reverse misses and NXDOMAIN answers are the upstream's.
    expect((await ask(s.port, '4.3.2.1.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');
    expect(up.seen).toEqual([
      { name: 'example.com', type: 'A', proto: 'udp' },
      { name: 'example.com', type: 'A', proto: 'tcp' },
      { name: '4.3.2.1.in-addr.arpa', type: 'PTR', proto: 'udp' },
    ]);
    // Cluster names never go upstream.
    await ask(s.port, 'web.demo.svc.cluster.local', 'A');
    expect(up.seen).toHaveLength(3);
  });

  it('chases an ExternalName CNAME upstream and appends the answers after it', async () => {
    const up = await fakeUpstream({ 'example.com A': [{ name: 'example.com', type: 'A', class: 'IN', ttl: 300, data: '93.184.216.34' }] });
    closers.push(up.close);
    const s = await start({ upstream: [up.address] });
    const d = await ask(s.port, 'ext.demo.svc.cluster.local', 'A');
    expect(d).toMatchObject({ rcode: 'NOERROR', flag_aa: true });
    expect((d.answers ?? []).map(rrText)).toEqual(['ext.demo.svc.cluster.local. 5 IN CNAME example.com.', 'example.com. 300 IN A 93.184.216.34']);
    // Without an upstream answer the CNAME stands alone.
    const aaaa = await ask(s.port, 'ext.demo.svc.cluster.local', 'AAAA');
    expect((aaaa.answers ?? []).map(rrText)).toEqual(['ext.demo.svc.cluster.local. 5 IN CNAME example.com.']);
  });

  it('answers SERVFAIL when the upstream does not answer in time, and REFUSED without upstream', async () => {
    const up = await fakeUpstream({}, { silent: true });
    closers.push(up.close);
    const s = await start({ upstream: [up.address], upstreamTimeoutMs: 200 });
    const d = await ask(s.port, 'example.com', 'A', { id: 11 });
    expect(d).toMatchObject({ id: 11, rcode: 'SERVFAIL', flag_aa: false });
    expect(d.questions).toEqual([{ name: 'example.com', type: 'A', class: 'IN' }]);
    expect(s.stats.upstreamTimeouts).toBe(1);

    const none = await start({ upstream: [] });
    const r = await ask(none.port, 'example.com', 'A', { edns: { size: 1232 } });
    expect(r).toMatchObject({ rcode: 'REFUSED', flag_aa: false });
    expect(r.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232 }]);
    const axfr = await ask(none.port, 'cluster.local', 'AXFR');
    expect(axfr.rcode).toBe('REFUSED');
  });

  it('takes upstreams from resolv.conf, leaving out itself and the cluster DNS address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-dns-'));
    const path = join(dir, 'resolv.conf');
    writeFileSync(path, '# node resolver\nnameserver 10.96.0.10\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.internal\n');
    const s = await start({ upstream: 'system', resolvConfPath: path });
    expect(s.upstreams).toEqual(['192.0.2.53:53', '[2001:db8::53]:53']);
    writeFileSync(path, 'nameserver 127.0.0.1\n');
    const self = await start({ upstream: 'system', resolvConfPath: path, port: 0 });
    // Another port: 127.0.0.1:53 is not this server.
    expect(self.upstreams).toEqual(['127.0.0.1:53']);
  });
});
