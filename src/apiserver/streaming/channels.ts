// The channel.k8s.io WebSocket subprotocols (apimachinery wsstream): every message starts with
// its channel number, a byte in the binary protocols, an ASCII digit before base64 text in the
// base64 ones. v5 adds a close signal, [255, channel], that ends one direction of a channel
// (stdin EOF) without closing the connection.
import type { WebSocket } from 'ws';

export const CLOSE_SIGNAL = 255;

export interface ChannelHandlers {
  data(channel: number, data: Buffer): void;
  /** v5's close signal for a channel. */
  closed?(channel: number): void;
}

/** Encodes one message; undefined for nothing to send. */
export function encodeChannelMessage(channel: number, data: Uint8Array, base64: boolean): Buffer | string {
  if (base64) return String.fromCharCode(48 + channel) + Buffer.from(data).toString('base64');
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

/** Decodes one message into its channel and bytes; undefined for an empty or malformed one. */
export function decodeChannelMessage(raw: Buffer, base64: boolean): { channel: number; data: Buffer } | undefined {
  if (raw.length === 0) return undefined;
  if (!base64) return { channel: raw[0]!, data: raw.subarray(1) };
  const channel = raw[0]! - 48;
  if (channel < 0) return undefined;
  return { channel, data: Buffer.from(raw.subarray(1).toString('latin1'), 'base64') };
}

/** A WebSocket seen as numbered channels. Sends resolve once the bytes are handed to the socket. */
export class ChannelSocket {
  readonly base64: boolean;
  /** The peer may send close signals (v5). */
  readonly closeSignals: boolean;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string,
    handlers: ChannelHandlers,
  ) {
    this.base64 = protocol.includes('base64');
    this.closeSignals = protocol.startsWith('v5.');
    ws.on('message', (raw: Buffer | Buffer[] | ArrayBuffer) => {
      const buf = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      const m = decodeChannelMessage(buf, this.base64);
      if (!m) return;
      if (this.closeSignals && m.channel === CLOSE_SIGNAL) {
        if (m.data.length > 0) handlers.closed?.(m.data[0]!);
        return;
      }
      handlers.data(m.channel, m.data);
    });
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(channel: number, data: Uint8Array): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(encodeChannelMessage(channel, data, this.base64), () => resolve()));
  }

  close(code = 1000): void {
    if (this.open) this.ws.close(code);
  }
}
