import { PassThrough } from 'node:stream';
import { constants, createInflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  adler32,
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameParser,
  HeaderCompressor,
  HeaderDecompressor,
  SPDY3_DICTIONARY,
  SpdyConnection,
  type SpdyFrame,
  type SpdyStream,
} from './spdy.ts';

// Two header blocks as client-go sends a port-forward pair's (error, then data), compressed by
// Python's zlib (level 9, the SPDY/3 dictionary, a sync flush after each): an independent encoder.
const PYTHON_ERROR_BLOCK = '78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45a024cc64610024398b209198094adc8c0600000000ffff';
const PYTHON_DATA_BLOCK = 'c2aa15540a2512d209000000ffff';

describe('SPDY/3 header compression', () => {
  it('has the draft-3 dictionary (its zlib id is 0xe3c6a7c2)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY3_DICTIONARY)).toBe(0xe3c6a7c2);
  });

  it('reads blocks another zlib compressed with one context', () => {
    const d = new HeaderDecompressor();
    expect(decodeHeaderBlock(d.decompress(Buffer.from(PYTHON_ERROR_BLOCK, 'hex')))).toEqual({ streamtype: ['error'], port: ['80'], requestid: ['0'] });
    // The second block refers back into the first's text.
    expect(decodeHeaderBlock(d.decompress(Buffer.from(PYTHON_DATA_BLOCK, 'hex')))).toEqual({ streamtype: ['data'], port: ['80'], requestid: ['0'] });
  });

  it('writes blocks a standard inflater reads as one stream', async () => {
    const c = new HeaderCompressor();
    const inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
    const blocks = [0, 1, 2].map((i) => encodeHeaderBlock({ streamtype: [i % 2 ? 'data' : 'error'], port: ['8080'], requestid: [String(i)] }));
    const out: Buffer[] = [];
    inflate.on('data', (b: Buffer) => out.push(b));
    for (const b of blocks) inflate.write(c.compress(b));
    await new Promise<void>((r) => inflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    expect(Buffer.concat(out)).toEqual(Buffer.concat(blocks));
  });

  it('joins and splits multiple values with NUL', () => {
    const block = encodeHeaderBlock({ 'X-Multi': ['a', 'b'] });
    expect(decodeHeaderBlock(block)).toEqual({ 'x-multi': ['a', 'b'] });
  });

  it('refuses a block made with another dictionary', () => {
    expect(() => new HeaderDecompressor().decompress(Buffer.from('78bb00000001', 'hex'))).toThrow(/dictionary/);
  });
});

describe('SPDY/3 frames', () => {
  const frames: SpdyFrame[] = [
    { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ['error'], port: ['80'], requestid: ['0'] } },
    { type: 'syn_stream', streamId: 3, associatedTo: 0, priority: 7, flags: FLAG_FIN, headers: { streamtype: ['data'], port: ['80'], requestid: ['0'] } },
    { type: 'syn_reply', streamId: 1, flags: 0, headers: {} },
    { type: 'headers', streamId: 3, flags: 0, headers: { a: ['b'] } },
    { type: 'data', streamId: 3, flags: 0, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
    { type: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 5, status: 5 },
    { type: 'settings', flags: 0, settings: [{ id: 7, flags: 0, value: 65536 }, { id: 4, flags: 1, value: 100 }] },
    { type: 'ping', id: 1 },
    { type: 'goaway', lastGoodStreamId: 3, status: 0 },
    { type: 'window_update', streamId: 3, delta: 4096 },
  ];

  it('round-trip through one context per direction, even when split anywhere', () => {
    const c = new HeaderCompressor();
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f, c)));
    const parser = new FrameParser(new HeaderDecompressor());
    const got: SpdyFrame[] = [];
    // Byte by byte: frames arrive whole only once their last byte has.
    for (let i = 0; i < wire.length; i++) got.push(...parser.push(wire.subarray(i, i + 1)));
    expect(got).toEqual(frames);
  });

  it('encodes control frame headers as the spec lays them out', () => {
    expect(encodeFrame({ type: 'ping', id: 7 }, new HeaderCompressor()).toString('hex')).toBe('800300060000000400000007');
    expect(encodeFrame({ type: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.from('hi') }, new HeaderCompressor()).toString('hex')).toBe('00000003010000026869');
  });
});

describe('SpdyConnection', () => {
  it('hands client streams over, replies, carries data and FIN, and answers pings', async () => {
    const client = new HeaderCompressor();
    const wire = new PassThrough();
    const fromServer: Buffer[] = [];
    const transport = new (class extends PassThrough {
      override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void) {
        fromServer.push(chunk);
        cb();
      }
    })();
    wire.on('data', (d: Buffer) => transport.push(d));
    const conn = new SpdyConnection(transport);
    const streams: SpdyStream[] = [];
    conn.listen((s) => {
      s.reply();
      streams.push(s);
      s.on('data', (d: Buffer) => s.write(Buffer.from(d.toString().toUpperCase())));
      s.on('end', () => s.end());
    });
    wire.write(encodeFrame({ type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ['data'] } }, client));
    wire.write(encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('echo') }, client));
    wire.write(encodeFrame({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) }, client));
    wire.write(encodeFrame({ type: 'ping', id: 1 }, client));
    await new Promise((r) => setTimeout(r, 20));
    expect(streams[0]!.header('streamType')).toBe('data');
    const got = new FrameParser(new HeaderDecompressor()).push(Buffer.concat(fromServer));
    // The reply comes first; the ping's echo may overtake the stream's data.
    expect(got[0]).toEqual({ type: 'syn_reply', streamId: 1, flags: 0, headers: {} });
    expect(got.filter((f) => f.type === 'data')).toEqual([
      { type: 'data', streamId: 1, flags: 0, data: Buffer.from('ECHO') },
      { type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
    ]);
    expect(got).toContainEqual({ type: 'ping', id: 1 });
    conn.close();
  });
});
