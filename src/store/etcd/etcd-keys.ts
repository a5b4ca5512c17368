// Key layout in etcd: every key the Backend is given is stored under an optional prefix, so that
// several clusters (or test stores) can share one etcd. With no prefix, keys are stored as given
// (`/registry/...`, as upstream's kube-apiserver stores them).
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../backend.ts';

export class KeySpace {
  private readonly head: Buffer;

  /** prefix: prepended to every key; a trailing slash is dropped so `/a/` and `/a` agree. */
  constructor(readonly prefix = '') {
    this.prefix = prefix.replace(/\/+$/, '');
    this.head = Buffer.from(this.prefix);
  }

  key(key: string): Buffer {
    return Buffer.concat([this.head, Buffer.from(key)]);
  }

  /** The Backend key of a stored key (the prefix removed). */
  strip(stored: Buffer): string {
    return stored.subarray(this.head.length).toString();
  }

  /** The [key, range_end) of keys under prefix, starting strictly after `startAfter` when it is inside the range. */
  range(prefix: string, startAfter?: string): { key: Buffer; range_end: Buffer } {
    const start = this.key(prefix);
    const end = prefixEnd(start);
    if (startAfter === undefined || startAfter < prefix) return { key: start, range_end: end };
    // The smallest key greater than startAfter is startAfter followed by a zero byte.
    return { key: Buffer.concat([this.key(startAfter), Buffer.from([0])]), range_end: end };
  }

  kv(raw: IKeyValue): KeyValue {
    return { key: this.strip(raw.key), value: raw.value.toString(), createRevision: Number(raw.create_revision), modRevision: Number(raw.mod_revision) };
  }
}

/**
 * The first key after every key starting with `prefix` (clientv3's GetPrefixRangeEnd): the prefix
 * with its last byte below 0xff incremented and what follows it dropped; a zero byte (the end of
 * the keyspace) when there is none, which covers the empty prefix.
 */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}
