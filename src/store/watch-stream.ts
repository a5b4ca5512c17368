// Watch from a revision: replay history, then continue live, with no gap and no duplicate
// (after k3s-io/kine pkg/logstructured: "After" replay followed by the broadcast stream).
//
// Gap-freedom relies on both backends committing and publishing synchronously on the event loop:
// subscribing to the broadcaster and reading the current revision R happen in one synchronous step,
// so every live event has revision > R, and replay covers (afterRevision, R].

import type { WatchEvent, WatchOptions, WatchStream } from './backend.ts';
import type { Broadcaster } from './broadcaster.ts';
import { compactedError } from './revisions.ts';

/** Events replayed per read, so a watch from far back does not load all history at once. */
export const REPLAY_PAGE = 1000;

export interface HistorySource {
  currentRevision(): number;
  compactedRevision(): number;
  /** Events under prefix with after < revision <= upTo in revision order, at most limit. */
  readEvents(prefix: string, after: number, upTo: number, limit: number): WatchEvent[];
}

export function openWatchStream(
  broadcaster: Broadcaster,
  source: HistorySource,
  prefix: string,
  opts: WatchOptions & { bufferSize?: number },
): WatchStream {
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;
  const after = opts.afterRevision;
  const compacted = source.compactedRevision();
  const early = after < compacted ? compactedError(after, compacted) : undefined;
  // Subscribe and snapshot R together (synchronously): live events are exactly those above R.
  const sub = broadcaster.subscribe({ prefix, signal, bufferSize: opts.bufferSize });
  const upTo = source.currentRevision();

  async function* run(): AsyncGenerator<WatchEvent[]> {
    try {
      if (early) throw early;
      for (let cursor = after; cursor < upTo && !signal.aborted && !sub.ended; ) {
        const floor = source.compactedRevision();
        if (cursor < floor) throw compactedError(cursor, floor);
        const events = source.readEvents(prefix, cursor, upTo, REPLAY_PAGE);
        if (events.length === 0) break;
        cursor = events[events.length - 1]!.revision;
        yield events;
      }
      for (let batch = await sub.next(); batch; batch = await sub.next()) {
        const fresh = after > upTo ? batch.filter((e) => e.revision > after) : batch;
        if (fresh.length > 0) yield fresh;
      }
    } finally {
      sub.end();
    }
  }

  const stream = run();
  return {
    [Symbol.asyncIterator]: () => stream,
    close: () => local.abort(),
  };
}
