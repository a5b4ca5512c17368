// The transport-neutral request and response the API handler works on. The HTTPS server and
// in-process tests both speak these; they are plain data so a test needs no socket.
import type { ApiWatchEvent } from '../registry/options.ts';
import type { UserInfo } from '../auth/user.ts';

export interface ApiRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=500`. */
  url: string;
  headers: Record<string, string | undefined>;
  body?: Uint8Array;
  /** Aborted when the client goes away (ends watches and log streams). */
  signal?: AbortSignal;
  /**
   * Set only by the in-process transport of this control plane's own components (never from a
   * socket): their objects are well-typed by construction, so built-in kinds skip the schema walk.
   */
  trusted?: boolean;
  /**
   * Who makes the request: set by ApiServer after authentication (never taken from a socket);
   * a trusted in-process caller may set it to act as a particular component (a node agent).
   */
  user?: UserInfo;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** A complete body. */
  body?: string | Uint8Array;
  /** A streamed body (watch, follow logs): chunks are written as they come. */
  stream?: AsyncIterable<string>;
  /**
   * The JSON value `body` encodes, for in-process callers: they take it as it is instead of
   * parsing the text (which is then never produced).
   */
  value?: unknown;
  /**
   * A watch's events as objects (shared between watchers, frozen), for in-process callers; a
   * response is consumed through either `events` or `stream`, never both.
   */
  events?: AsyncIterable<ApiWatchEvent[]>;
}
