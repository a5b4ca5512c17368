// EndpointSlice events for the controller that manages them (by the managed-by label), routed to
// the Service each slice belongs to. Shared by the EndpointSlice and mirroring controllers.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';
import { serviceKeyOfSlice } from './indexes.ts';
import { MANAGED_BY_LABEL } from './pods.ts';
import type { WriteTracker } from './write-tracker.ts';

/**
 * Calls `sync(serviceKey, foreign)` for slice events that need a sync. The echo of one's own
 * write needs none, unless a sync waits for it (then `foreign` is false). `foreign` is true when
 * the slices changed under the controller: another writer, or a slice relabelled away from its
 * Service or from this manager, which leaves that Service short.
 */
export function routeManagedSliceEvents(slices: Informer, manager: string, tracker: WriteTracker, sync: (key: string, foreign: boolean) => void): void {
  const mine = (s: KubeObject) => s.metadata.labels?.[MANAGED_BY_LABEL] === manager;
  const onSlice = (s: KubeObject, deleted: boolean) => {
    const key = serviceKeyOfSlice(s);
    if (!key) return;
    if (tracker.takeWaiting(key)) return sync(key, false);
    if (!tracker.isEcho(s, deleted)) sync(key, true);
  };
  slices.addHandlers({
    add: (s) => {
      if (mine(s)) onSlice(s, false);
    },
    update: (old, s) => {
      if (mine(s)) onSlice(s, false);
      const oldKey = mine(old) ? serviceKeyOfSlice(old) : undefined;
      if (oldKey && (!mine(s) || oldKey !== serviceKeyOfSlice(s))) sync(oldKey, true);
    },
    delete: (s) => {
      if (mine(s)) onSlice(s, true);
    },
  });
}
