import dnsPacket, { type Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AA, cacheKey, encodeResponse, HEADER, parseQuery, patchCached, QR, questionName, RD, replyFlags, TC, type Query } from './wire.ts';

const query = (name: string, type: string, opts: { id?: number; flags?: number; edns?: { size: number; do?: boolean; version?: number } } = {}) =>
  dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: opts.flags ?? RD,
    questions: [{ name, type: type as 'A' }],
    ...(opts.edns
      ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns.size, extendedRcode: 0, ednsVersion: opts.edns.version ?? 0, flags: opts.edns.do ? 0x8000 : 0, flag_do: !!opts.edns.do, options: [] }] }
      : {}),
  });

function ok(buf: Buffer): Query {
  const r = parseQuery(buf);
  if (!r.ok) throw new Error(`not parsed: ${JSON.stringify(r)}`);
  return r.query;
}

function header(words: number[]): Buffer {
  const b = Buffer.alloc(12);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

describe('parseQuery', () => {
  it('reads the header, the question and EDNS', () => {
    const buf = query('Web.Demo.svc.cluster.local', 'SRV', { edns: { size: 1232, do: true } });
    const q = ok(buf);
    expect(q).toMatchObject({ id: 4242, qtype: 33, qclass: 1, edns: { udpSize: 1232, version: 0, flags: 0x8000 } });
    expect(q.qnameEnd).toBe(HEADER + 'Web.Demo.svc.cluster.local'.length + 2);
    expect(questionName(buf, q)).toBe('Web.Demo.svc.cluster.local');
    expect(ok(query('x.example', 'A')).edns).toBeUndefined();
  });

  it('escapes dots inside labels when naming the question', () => {
    const buf = Buffer.concat([header([1, 0, 1, 0, 0, 0]), Buffer.from([3, 0x61, 0x2e, 0x62, 1, 0x63, 0, 0, 1, 0, 1])]);
    expect(questionName(buf, ok(buf))).toBe('a\\.b.c');
  });

  it('drops responses and runts, answers NOTIMP to other opcodes and FORMERR to malformed queries', () => {
    const good = query('a.example', 'A');
    expect(parseQuery(good.subarray(0, 11))).toEqual({ ok: false, action: 'ignore' });
    const response = Buffer.from(good);
    response.writeUInt16BE(response.readUInt16BE(2) | QR, 2);
    expect(parseQuery(response)).toEqual({ ok: false, action: 'ignore' });
    const update = Buffer.from(good);
    update.writeUInt16BE((5 << 11) | RD, 2);
    expect(parseQuery(update)).toMatchObject({ ok: false, action: 'reply', rcode: 4 });

    const formerr = (b: Buffer) => expect(parseQuery(b)).toMatchObject({ ok: false, action: 'reply', rcode: 1, id: b.readUInt16BE(0) });
    formerr(good.subarray(0, good.length - 2)); // question cut
    formerr(good.subarray(0, 14)); // name cut
    const noQuestion = Buffer.from(good);
    noQuestion.writeUInt16BE(0, 4);
    formerr(noQuestion);
    const twoQuestions = Buffer.from(good);
    twoQuestions.writeUInt16BE(2, 4);
    formerr(twoQuestions);
    const manyAdditional = Buffer.from(good);
    manyAdditional.writeUInt16BE(3, 10);
    formerr(manyAdditional);
    const claimsAdditional = Buffer.from(good);
    claimsAdditional.writeUInt16BE(1, 10);
    formerr(claimsAdditional); // counted but absent
    formerr(Buffer.concat([header([1, 0, 1, 0, 0, 0]), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])); // pointer in the question
    formerr(Buffer.concat([header([1, 0, 1, 0, 0, 0]), Buffer.from([0x40, 0, 0, 1, 0, 1])])); // reserved label type
    const long = Buffer.concat([header([1, 0, 1, 0, 0, 0]), ...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]);
    formerr(long); // name over 255 bytes
    const opt = query('a.example', 'A', { edns: { size: 1232 } });
    const twoOpts = Buffer.concat([opt, opt.subarray(opt.length - 11)]);
    twoOpts.writeUInt16BE(2, 10);
    formerr(twoOpts);
    // Bytes after the last record are ignored, as miekg/dns does.
    expect(parseQuery(Buffer.concat([good, Buffer.from([1, 2, 3])])).ok).toBe(true);
  });

  it('keys the cache case-insensitively by name, type, class and EDNS', () => {
    const k = (buf: Buffer) => cacheKey(buf, ok(buf));
    expect(k(query('WEB.demo.svc.cluster.local', 'A'))).toBe(k(query('web.DEMO.svc.cluster.local', 'A', { id: 1 })));
    expect(k(query('web.demo.svc.cluster.local', 'A'))).not.toBe(k(query('web.demo.svc.cluster.local', 'AAAA')));
    expect(k(query('web.demo.svc.cluster.local', 'A'))).not.toBe(k(query('web.demo.svc.cluster.local', 'A', { edns: { size: 512 } })));
    expect(k(query('web.demo.svc.cluster.local', 'A'))).not.toBe(k(query('web.demo.svc.cluster.locak', 'A')));
  });
});

describe('encodeResponse', () => {
  const records: Answer[] = [
    { name: 'Web.demo.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.96.0.20' },
    { name: 'Web.demo.svc.cluster.local', type: 'AAAA', class: 'IN', ttl: 5, data: 'fd00::20' },
    { name: 'Web.demo.svc.cluster.local', type: 'CNAME', class: 'IN', ttl: 5, data: 'example.com' },
    { name: 'Web.demo.svc.cluster.local', type: 'SRV', class: 'IN', ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.demo.svc.cluster.local' } },
    { name: 'cluster.local', type: 'SOA', class: 'IN', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1767225600, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } },
    { name: 'cluster.local', type: 'NS', class: 'IN', ttl: 5, data: 'ns.dns.cluster.local' },
    { name: '7.0.96.10.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 5, data: 'web.demo.svc.cluster.local' },
    { name: 'dns-version.cluster.local', type: 'TXT', class: 'IN', ttl: 28800, data: '1.1.0' },
    { name: 'example.com', type: 'MX', class: 'IN', ttl: 60, data: { preference: 10, exchange: 'mail.example.com' } },
    { name: 'example.com', type: 'CAA', class: 'IN', ttl: 60, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
  ];

  it('writes what dns-packet reads back, with names compressed against the question', () => {
    const q = query('Web.demo.svc.cluster.local', 'A');
    const parsed = ok(q);
    const enc = encodeResponse({
      id: 7,
      flags: replyFlags(parsed.flags, { aa: true, rcode: 0 }),
      question: q.subarray(HEADER, parsed.questionEnd),
      questionNames: [
        { name: 'Web.demo.svc.cluster.local', offset: HEADER },
        { name: 'cluster.local', offset: HEADER + 'Web.demo.svc.'.length },
      ],
      answers: records,
      opt: { udpSize: 1232, flags: 0x8000 },
    });
    const d = dnsPacket.decode(enc.buf);
    expect(d).toMatchObject({ id: 7, flag_qr: true, flag_aa: true, flag_rd: true, flag_ra: false, flag_tc: false, rcode: 'NOERROR' });
    expect(d.questions).toEqual([{ name: 'Web.demo.svc.cluster.local', type: 'A', class: 'IN' }]);
    const norm = (a: Answer) => {
      const { flush: _f, ...rest } = a as Answer & { flush?: boolean };
      if (rest.type === 'TXT') return { ...rest, data: [Buffer.from(String(rest.data))] };
      if (rest.type === 'CAA') return { ...rest, data: { ...rest.data, issuerCritical: false } };
      return rest;
    };
    expect(d.answers!.map(norm)).toEqual(records.map(norm));
    expect(d.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232, flags: 0x8000 }]);
    // The first answer's owner is a pointer to the question name.
    const firstAnswer = parsed.questionEnd;
    expect([enc.buf[firstAnswer], enc.buf[firstAnswer + 1]]).toEqual([0xc0, HEADER]);
    expect(enc.buf.length).toBeLessThan(dnsPacket.encodingLength({ questions: d.questions, answers: records }));
    expect(enc.optOffset).toBe(enc.buf.length - 11);
    expect(enc.hasUncompressedNames).toBe(true); // the SRV target
  });

  it('drops records that do not fit, sets TC and keeps the OPT record', () => {
    const q = query('big.demo.svc.cluster.local', 'A', { edns: { size: 512 } });
    const parsed = ok(q);
    const many: Answer[] = Array.from({ length: 60 }, (_, i) => ({ name: 'big.demo.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: `10.244.0.${i}` }));
    const base = { id: 1, flags: replyFlags(parsed.flags, { aa: true, rcode: 0 }), question: q.subarray(HEADER, parsed.questionEnd), questionNames: [{ name: 'big.demo.svc.cluster.local', offset: HEADER }], answers: many, opt: { udpSize: 512, flags: 0 } };
    const full = encodeResponse(base);
    expect(full.truncated).toBe(false);
    expect(dnsPacket.decode(full.buf).answers).toHaveLength(60);
    const cut = encodeResponse({ ...base, limit: 512 });
    expect(cut.truncated).toBe(true);
    expect(cut.buf.length).toBeLessThanOrEqual(512);
    const d = dnsPacket.decode(cut.buf);
    expect(d.flag_tc).toBe(true);
    // 12 header + 32 question + 16 per compressed A record + 11 OPT.
    expect(d.answers).toHaveLength(Math.floor((512 - 12 - 32 - 11) / 16));
    expect(d.additionals).toMatchObject([{ type: 'OPT' }]);
    expect(cut.buf.readUInt16BE(2) & TC).toBe(TC);
  });
});

describe('patchCached', () => {
  it('answers another spelling of the question: ID, flags, question bytes, owners and EDNS follow the new query', () => {
    const first = query('web.demo.svc.cluster.local', 'A', { id: 1, edns: { size: 4096, do: true } });
    const fp = ok(first);
    const enc = encodeResponse({
      id: 1,
      flags: replyFlags(fp.flags, { aa: true, rcode: 0 }),
      question: first.subarray(HEADER, fp.questionEnd),
      questionNames: [{ name: 'web.demo.svc.cluster.local', offset: HEADER }],
      answers: [{ name: 'web.demo.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.96.0.20' }],
      opt: { udpSize: 4096, flags: 0x8000 },
    });
    const second = query('WEB.Demo.svc.CLUSTER.local', 'A', { id: 999, flags: 0, edns: { size: 1400 } });
    const out = patchCached(enc.buf, enc.optOffset, second, ok(second));
    const d = dnsPacket.decode(out);
    expect(d.id).toBe(999);
    expect(d.flag_rd).toBe(false);
    expect(d.flag_aa).toBe(true);
    expect(d.questions![0]!.name).toBe('WEB.Demo.svc.CLUSTER.local');
    expect(d.answers).toMatchObject([{ name: 'WEB.Demo.svc.CLUSTER.local', data: '10.96.0.20' }]);
    expect(d.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1400, flags: 0 }]);
    // The cached bytes themselves are untouched.
    expect(dnsPacket.decode(enc.buf).id).toBe(1);
    expect(enc.buf.readUInt16BE(2) & AA).toBe(AA);
  });
});
