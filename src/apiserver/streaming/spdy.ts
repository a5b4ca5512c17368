// A minimal SPDY/3.1 server session, as much as kubectl's port-forward needs (client-go speaks it
// through moby/spdystream): frame encoding and parsing, header blocks compressed with zlib and
// SPDY/3's fixed dictionary (one context per direction, each block ended by a sync flush), and
// streams as Node Duplexes. Flow control is left out as spdystream leaves it out: WINDOW_UPDATE
// and SETTINGS are read and ignored, and no window limits what is sent.
import { Duplex } from 'node:stream';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** Header names (lowercase) to their values (a block joins several with NUL). */
export type SpdyHeaders = Record<string, string[]>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; flags: number; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: 'headers'; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; settings: { id: number; flags: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

// SPDY/3's header compression dictionary (draft 3, section 2.6.10.1): length-prefixed names and
// values, then a run of common status lines, dates and media types.
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
  '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length, 0);
    b.write(w, 4, 'latin1');
    return b;
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

// Header blocks form one zlib stream per direction, each block ended by a sync flush, so every
// block starts byte-aligned and is a raw deflate continuation whose window is the dictionary
// followed by all earlier blocks' text. Each block is therefore (de)compressed on its own with
// that window as a preset dictionary: synchronous, with no long-lived zlib context to keep.
const WINDOW = 32 * 1024;
/** CMF and FLG of a zlib stream with a preset dictionary (32 KiB window, FDICT set). */
const ZLIB_HEADER = Buffer.from([0x78, 0xbb]);

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const DICTIONARY_ID = adler32(SPDY3_DICTIONARY);

function slide(window: Buffer, text: Buffer): Buffer {
  const all = Buffer.concat([window, text]);
  return all.length > WINDOW ? all.subarray(all.length - WINDOW) : all;
}

/** One direction's header compression: the sender's side. */
export class HeaderCompressor {
  private window: Buffer = SPDY3_DICTIONARY;
  private started = false;
  compress(block: Buffer): Buffer {
    const raw = deflateRawSync(block, { dictionary: this.window, finishFlush: constants.Z_SYNC_FLUSH });
    this.window = slide(this.window, block);
    if (this.started) return raw;
    this.started = true;
    const id = Buffer.alloc(4);
    id.writeUInt32BE(DICTIONARY_ID, 0);
    return Buffer.concat([ZLIB_HEADER, id, raw]);
  }
}

/** The receiver's side; throws SpdyProtocolError on a stream it cannot read. */
export class HeaderDecompressor {
  private window: Buffer = SPDY3_DICTIONARY;
  private started = false;
  decompress(data: Buffer): Buffer {
    if (!this.started) {
      if (data.length < 6 || data[0]! !== 0x78 || (data[1]! & 0x20) === 0 || ((data[0]! << 8) | data[1]!) % 31 !== 0) throw new SpdyProtocolError('header block is not a zlib stream with a preset dictionary');
      if (data.readUInt32BE(2) !== DICTIONARY_ID) throw new SpdyProtocolError('header block uses a dictionary other than SPDY/3\'s');
      this.started = true;
      data = data.subarray(6);
    }
    let text: Buffer;
    try {
      text = inflateRawSync(data, { dictionary: this.window, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new SpdyProtocolError(`header block: ${(e as Error).message}`);
    }
    this.window = slide(this.window, text);
    return text;
  }
}

/** An uncompressed header block: count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const names = Object.keys(headers);
  parts.push(u32(names.length));
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(headers[name]!.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (len: number) => {
    if (at + len > block.length) throw new SpdyProtocolError('truncated header block');
    const s = block.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32()).toLowerCase();
    const value = bytes(u32());
    (headers[name] ??= []).push(...value.split('\0'));
  }
  return headers;
}

export class SpdyProtocolError extends Error {}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

function words(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Encodes a frame; header blocks go through the sender's compressor. */
export function encodeFrame(f: SpdyFrame, compressor: HeaderCompressor): Buffer {
  switch (f.type) {
    case 'data': {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      head.writeUInt32BE(((f.flags & 0xff) << 24) | f.data.length, 4);
      return Buffer.concat([head, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(f.associatedTo & 0x7fffffff, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      return control(FrameType.SYN_STREAM, f.flags, Buffer.concat([fixed, compressor.compress(encodeHeaderBlock(f.headers))]));
    }
    case 'syn_reply':
      return control(FrameType.SYN_REPLY, f.flags, Buffer.concat([words(f.streamId & 0x7fffffff), compressor.compress(encodeHeaderBlock(f.headers))]));
    case 'headers':
      return control(FrameType.HEADERS, f.flags, Buffer.concat([words(f.streamId & 0x7fffffff), compressor.compress(encodeHeaderBlock(f.headers))]));
    case 'rst_stream':
      return control(FrameType.RST_STREAM, 0, words(f.streamId & 0x7fffffff, f.status));
    case 'settings':
      return control(FrameType.SETTINGS, f.flags, words(f.settings.length, ...f.settings.flatMap((s) => [((s.flags & 0xff) << 24) | (s.id & 0xffffff), s.value])));
    case 'ping':
      return control(FrameType.PING, 0, words(f.id));
    case 'goaway':
      return control(FrameType.GOAWAY, 0, words(f.lastGoodStreamId & 0x7fffffff, f.status));
    case 'window_update':
      return control(FrameType.WINDOW_UPDATE, 0, words(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

/** Splits a byte stream into frames, inflating header blocks with the receiver's context. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly decompressor: HeaderDecompressor) {}

  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const frame = this.buf.subarray(0, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      frames.push(this.parse(frame));
    }
    return frames;
  }

  private parse(frame: Buffer): SpdyFrame {
    const first = frame.readUInt32BE(0);
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((first & 0x80000000) === 0) return { type: 'data', streamId: first & 0x7fffffff, flags, data: payload };
    const version = (first >>> 16) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = first & 0xffff;
    const need = (n: number) => {
      if (payload.length < n) throw new SpdyProtocolError(`frame type ${type} too short`);
    };
    const u32 = (at: number) => payload.readUInt32BE(at);
    switch (type) {
      case FrameType.SYN_STREAM:
        need(10);
        return { type: 'syn_stream', streamId: u32(0) & 0x7fffffff, associatedTo: u32(4) & 0x7fffffff, priority: payload[8]! >> 5, flags, headers: this.headers(payload.subarray(10)) };
      case FrameType.SYN_REPLY:
        need(4);
        return { type: 'syn_reply', streamId: u32(0) & 0x7fffffff, flags, headers: this.headers(payload.subarray(4)) };
      case FrameType.HEADERS:
        need(4);
        return { type: 'headers', streamId: u32(0) & 0x7fffffff, flags, headers: this.headers(payload.subarray(4)) };
      case FrameType.RST_STREAM:
        need(8);
        return { type: 'rst_stream', streamId: u32(0) & 0x7fffffff, status: u32(4) };
      case FrameType.SETTINGS: {
        need(4);
        const n = u32(0);
        need(4 + n * 8);
        const settings = [];
        for (let i = 0; i < n; i++) {
          const idf = u32(4 + i * 8);
          settings.push({ flags: idf >>> 24, id: idf & 0xffffff, value: u32(8 + i * 8) });
        }
        return { type: 'settings', flags, settings };
      }
      case FrameType.PING:
        need(4);
        return { type: 'ping', id: u32(0) };
      case FrameType.GOAWAY:
        need(8);
        return { type: 'goaway', lastGoodStreamId: u32(0) & 0x7fffffff, status: u32(4) };
      case FrameType.WINDOW_UPDATE:
        need(8);
        return { type: 'window_update', streamId: u32(0) & 0x7fffffff, delta: u32(4) & 0x7fffffff };
      default:
        return { type: 'unknown', frameType: type, flags, payload };
    }
  }

  private headers(compressed: Buffer): SpdyHeaders {
    return decodeHeaderBlock(this.decompressor.decompress(compressed));
  }
}

/** A stream the peer opened: readable is what it sends, writable what we send (end() sends FIN). */
export class SpdyStream extends Duplex {
  private replied = false;
  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header (names are case-insensitive). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts the stream (SYN_REPLY); data may only follow it. */
  reply(): void {
    if (this.replied) return;
    this.replied = true;
    this.conn.send({ type: 'syn_reply', streamId: this.id, flags: 0, headers: {} });
  }

  /** Refuses or abandons the stream. */
  reset(status: number = RstStatus.CANCEL): void {
    this.conn.send({ type: 'rst_stream', streamId: this.id, status });
    this.conn.forget(this.id);
    this.destroy();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.reply();
    this.conn.send({ type: 'data', streamId: this.id, flags: 0, data: chunk }, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.reply();
    this.conn.send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) }, cb);
  }

  /** From the connection: the peer's data and FIN. */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) this.push(data);
    if (fin) this.push(null);
  }
}

/**
 * The server side of a SPDY session over a byte stream (the upgraded socket, or a WebSocket
 * tunnel). Each stream the client opens is handed to onStream, which replies or resets it.
 */
export class SpdyConnection {
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly parser = new FrameParser(this.decompressor);
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private closed = false;
  private onStream: (s: SpdyStream) => void = (s) => s.reset(RstStatus.REFUSED_STREAM);
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.parser.push(chunk)) this.handle(f);
      } catch {
        this.goAway(1);
      }
    });
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  listen(onStream: (s: SpdyStream) => void): void {
    this.onStream = onStream;
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  send(f: SpdyFrame, cb?: (e?: Error | null) => void): void {
    if (this.closed || !this.socket.writable) {
      cb?.();
      return;
    }
    const bytes = encodeFrame(f, this.compressor);
    if (this.socket.write(bytes) || !cb) cb?.();
    else this.socket.once('drain', () => cb());
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case 'syn_stream': {
        // Client streams are odd and increasing; anything else is refused, as spdystream does.
        if (f.streamId % 2 === 0 || f.streamId <= this.lastStreamId) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.PROTOCOL_ERROR });
          return;
        }
        this.lastStreamId = f.streamId;
        const s = new SpdyStream(this, f.streamId, f.headers);
        this.streams.set(f.streamId, s);
        if (f.flags & FLAG_FIN) s.receive(Buffer.alloc(0), true);
        this.onStream(s);
        return;
      }
      case 'data':
        this.streams.get(f.streamId)?.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      case 'headers':
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.receive(Buffer.alloc(0), true);
        return;
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        this.streams.delete(f.streamId);
        s?.destroy();
        return;
      }
      case 'ping':
        // Pings from the client (odd ids) are echoed; ours would be even, and we send none.
        if (f.id % 2 === 1) this.send(f);
        return;
      case 'goaway':
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams) and unknown types: ignored.
        return;
    }
  }

  private goAway(status: number): void {
    this.send({ type: 'goaway', lastGoodStreamId: this.lastStreamId, status });
    this.close();
  }

  /** Ends the session: every stream is destroyed and the transport closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.socket.end();
    for (const fn of this.closeListeners.splice(0)) fn();
  }
}
