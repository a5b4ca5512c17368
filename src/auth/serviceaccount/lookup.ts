// Reads the objects tokens name straight from the registry's stores: one key read each, always
// current, whichever server of the cluster issued the token (upstream reads informer caches
// and falls back to a live read; a live read alone is never stale).
import { ApiError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import type { BoundKind, ObjectLookup } from './authenticator.ts';

const RESOURCES: Record<BoundKind, string> = { ServiceAccount: 'serviceaccounts', Pod: 'pods', Secret: 'secrets', Node: 'nodes' };

/** `registry` is read at each lookup, so admission can be given a lookup before the registry exists. */
export function registryLookup(registry: () => Registry): ObjectLookup {
  return async (kind, namespace, name) => {
    const store = registry().get('', 'v1', RESOURCES[kind]);
    if (!store) return undefined;
    try {
      return await store.get(namespace, name);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  };
}
