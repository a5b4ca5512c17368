// Records core/v1 Events as a kubelet or controller does (client-go tools/record): an event with
// the same source, object, type, reason and message as one recorded in the last 10 minutes bumps
// that Event's count and lastTimestamp instead of creating another.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
  last: number;
}

const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 4096;

// Upstream names an Event `<object>.<hex of the Unix time in nanoseconds>`; the nanoseconds here
// are the clock's milliseconds plus a sequence, so names from one process never repeat.
let lastNanos = 0n;
function eventSuffix(nowMs: number): string {
  const ns = BigInt(Math.floor(nowMs)) * 1_000_000n;
  lastNanos = ns > lastNanos ? ns : lastNanos + 1n;
  return lastNanos.toString(16);
}

export class EventRecorder {
  private readonly events: ResourceClient;
  private readonly seen = new Map<string, Seen>();

  constructor(
    client: Client,
    private readonly source: EventSource,
    private readonly clock: Clock,
    private readonly log: (m: string) => void = () => {},
  ) {
    this.events = client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true });
  }

  /** Records an event about obj; never throws (a lost event must not fail the caller's work). */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    void this.record(obj, type, reason, message, fieldPath).catch((e: unknown) => this.log(`event ${reason} on ${obj.metadata.name}: ${(e as Error).message}`));
  }

  /** Like event() but resolves when the Event is stored (tests and ordering-sensitive callers). */
  async record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const now = this.clock.now();
    const namespace = obj.metadata.namespace || 'default';
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const key = [this.source.component, this.source.host ?? '', involved.kind, namespace, involved.name, involved.uid, fieldPath ?? '', type, reason, message].join('\u0000');
    const prev = this.seen.get(key);
    if (prev && now - prev.last < AGGREGATION_WINDOW_MS) {
      prev.count++;
      prev.last = now;
      try {
        await this.events.patch(prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: rfc3339(now) });
        return;
      } catch {
        // The Event was deleted or expired: record a fresh one below.
      }
    }
    const name = `${obj.metadata.name}.${eventSuffix(now)}`;
    const stamp = rfc3339(now);
    await this.events.create(namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
    });
    if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1, first: stamp, last: now });
  }
}
