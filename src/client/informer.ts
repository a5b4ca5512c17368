// Informers: list, then watch from the list's revision, keeping a read-only cache and telling
// handlers about changes; a 410 (history compacted) or a failed watch leads to a fresh list whose
// differences are reported as events (client-go tools/cache reflector + shared informer).
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { Clock } from '../util/clock.ts';
import { readOnly } from '../util/read-only.ts';
import type { ResourceClient } from './client.ts';

export interface InformerHandlers {
  add?(obj: KubeObject): void;
  update?(oldObj: KubeObject, newObj: KubeObject): void;
  delete?(obj: KubeObject): void;
}

const LIST_PAGE = 500;

export function objectKeyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private lastRv = '';

  constructor(
    readonly rc: ResourceClient,
    private readonly opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; clock: Clock; log?: (m: string) => void },
  ) {}

  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.cache.values()) h.add?.(obj);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache. */
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): KubeObject[] {
    const all = [...this.cache.values()];
    return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
  }

  /** The newest revision this cache has seen (to wait for one's own writes). */
  get resourceVersion(): string {
    return this.lastRv;
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await this.relist();
        backoff = 100;
        for (;;) {
          if (signal.aborted) return;
          const expired = await this.watchOnce(signal);
          if (expired) break;
        }
      } catch (e) {
        if (signal.aborted) return;
        this.opts.log?.(`informer ${this.rc.ref.resource}: ${(e as Error).message}`);
        await sleep(this.opts.clock, backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async relist(): Promise<void> {
    // Paged as client-go's pager does (pages of 500 at one revision), so a large collection never
    // has to be one response.
    const seen = new Set<string>();
    let cont: string | undefined;
    let revision = '';
    do {
      const page = await this.rc.list(this.opts.namespace ?? '', { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: LIST_PAGE, continue: cont });
      for (const item of page.items) {
        readOnly(item);
        const key = objectKeyOf(item);
        seen.add(key);
        this.put(key, item);
      }
      revision = revision || (page.metadata.resourceVersion ?? '');
      cont = page.metadata.continue || undefined;
    } while (cont);
    const list = { metadata: { resourceVersion: revision } };
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        for (const h of this.handlers) h.delete?.(old);
      }
    }
    this.lastRv = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private put(key: string, obj: KubeObject): void {
    const old = this.cache.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  /** One watch; returns true when the revision expired and a relist is needed. */
  private async watchOnce(signal: AbortSignal): Promise<boolean> {
    for await (const ev of this.rc.watch(this.opts.namespace ?? '', {
      resourceVersion: this.lastRv,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      allowWatchBookmarks: true,
      signal,
    })) {
      if (ev.type === 'ERROR') {
        const code = (ev.object as unknown as { code?: number }).code;
        if (code === 410) return true;
        throw new ApiError('InternalError', code ?? 500, (ev.object as unknown as { message?: string }).message ?? 'watch error');
      }
      this.lastRv = ev.object.metadata.resourceVersion ?? this.lastRv;
      if (ev.type === 'BOOKMARK') continue;
      const obj = readOnly(ev.object);
      const key = objectKeyOf(obj);
      if (ev.type === 'DELETED') {
        const old = this.cache.get(key);
        this.cache.delete(key);
        for (const h of this.handlers) h.delete?.(old ?? obj);
      } else this.put(key, obj);
    }
    return false;
  }
}


function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cancel = clock.setTimer(resolve, ms);
    signal.addEventListener('abort', () => {
      cancel();
      resolve();
    }, { once: true });
  });
}
