// The narrow storage contract every datastore implements (after k3s-io/kine's server interface).
// Keys are strings like `/registry/apps/statefulsets/default/web`; values are opaque strings
// (the registry stores JSON). Every successful write moves one global revision counter forward by
// exactly one, and that revision becomes the object's resourceVersion.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which this key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

export type WatchEventType = 'create' | 'update' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** Revision of this event. For deletes, kv.value is the last value and kv.modRevision = revision. */
  revision: number;
  kv: KeyValue;
  /** The value before this event (updates and deletes). */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: current). Older than the compacted revision: Compacted. */
  revision?: number;
  /** At most this many items; `more` tells whether the prefix holds more after them. */
  limit?: number;
  /** Start strictly after this key (pagination). */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Number of matching keys after the last returned one (0 when complete). */
  remaining: number;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision. Older than compacted: Compacted. */
  afterRevision: number;
  signal?: AbortSignal;
}

/**
 * A live watch: an async stream of event batches in revision order. The stream ends normally when
 * the signal aborts, and ends by throwing StorageError('WatcherTooSlow') when the consumer let its
 * bounded buffer overflow (it must re-list), or StorageError('Compacted').
 */
export interface WatchStream extends AsyncIterable<WatchEvent[]> {
  close(): void;
}

export interface Backend {
  /** Current value of key, or undefined. Reads committed state only. */
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  /** Keys starting with prefix in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of live keys under prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Creates key; throws StorageError('KeyExists') when it exists. Resolves after a durable commit. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Replaces key's value if its modRevision equals expectedRevision; throws 'Conflict' (with the
   * current kv) when it does not and 'NotFound' when the key is absent. Durable on resolve.
   */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Deletes key (if expectedRevision given, only at that revision). Returns the deleted kv. */
  delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }>;
  /** Events under prefix after opts.afterRevision. */
  watch(prefix: string, opts: WatchOptions): WatchStream;
  currentRevision(): Promise<number>;
  /** Oldest revision still readable (0 when nothing was compacted). */
  compactedRevision(): Promise<number>;
  /** Forget history at or below revision; reads and watches from below it fail with 'Compacted'. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Why a call failed. `Unavailable`: the datastore could not be reached, nothing was written and
 * the call may be retried. `Timeout`: no answer before the deadline; a write may or may not have
 * been applied, so the caller re-reads before retrying.
 */
export type StorageErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'WatcherTooSlow' | 'Closed' | 'Unavailable' | 'Timeout' | 'QuotaExceeded' | 'Internal';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** For Conflict: the current value, so callers can retry without another read. */
  readonly current?: KeyValue;
  constructor(code: StorageErrorCode, message: string, current?: KeyValue) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.current = current;
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
