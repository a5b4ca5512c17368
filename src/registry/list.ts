// Lists with selectors, resourceVersion semantics and limit/continue pagination
// (k8s.io/apiserver/pkg/storage/etcd3/store.go GetList, and the continue token in
// k8s.io/apiserver/pkg/storage/continue.go: a base64 JSON naming the revision and next key).
import { ApiError, badRequest } from '../api/errors.ts';
import type { KubeList, KubeObject } from '../api/meta/types.ts';
import { isStorageError } from '../store/backend.ts';
import { collectionPrefix } from './keys.ts';
import { rawWithVersion } from './codec.ts';
import type { ListRequest } from './options.ts';
import { parseRevision, type ResourceStore } from './resource-store.ts';
import { compileSelection } from './selection.ts';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: lastKey };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(t.rv) || typeof t.start !== 'string') throw new Error('bad token');
    return t;
  } catch {
    throw badRequest('continue key is not valid: the continue parameter must be a token returned by a previous list');
  }
}

const CHUNK = 1000;

/**
 * Where a list starts: the continue token's revision and key, else the current state (a
 * NotOlderThan resourceVersion is validated; the current state always satisfies it).
 */
function startPoint(req: ListRequest): { revision?: number; startAfter?: string } {
  const rv = req.resourceVersion && req.resourceVersion !== '0' ? req.resourceVersion : undefined;
  if (req.continue) {
    if (rv) throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(req.continue);
    return { revision: token.rv, startAfter: token.start };
  }
  if (rv) parseRevision(rv);
  return {};
}

export async function listObjects(store: ResourceStore, namespace: string, req: ListRequest): Promise<KubeList> {
  const sel = compileSelection(store.info, req.labelSelector, req.fieldSelector);
  const limit = req.limit && req.limit > 0 ? req.limit : undefined;
  let { revision, startAfter } = startPoint(req);
  if (!req.continue && req.resourceVersionMatch === 'Exact') {
    if (!req.resourceVersion || req.resourceVersion === '0') {
      throw new ApiError('Invalid', 422, 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    revision = parseRevision(req.resourceVersion);
  }
  const backend = store.deps.backend;
  const items: KubeObject[] = [];
  const prefix = collectionPrefix(store.info, namespace);
  try {
    if (sel.name !== undefined && (!store.info.namespaced || namespace)) {
      // One key at most: skip the scan.
      // Read the revision first so a later watch from it cannot miss a change to this object.
      const rev = revision ?? (await backend.currentRevision());
      const kv = await backend.get(store.key(namespace, sel.name), { revision: rev });
      if (kv) {
        const obj = store.decode(kv);
        if (sel.predicate(obj)) items.push(obj);
      }
      return listResult(items, rev);
    }
    return await listScan();
  } catch (e) {
    if (isStorageError(e, 'Compacted')) {
      throw new ApiError(
        'Expired',
        410,
        req.continue
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'
          : `too old resource version: ${revision}`,
      );
    }
    throw e;
  }

  async function listScan(): Promise<KubeList> {
    let after = startAfter;
    let rev = revision;
    let remaining = 0;
    let lastKey: string | undefined;
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : undefined;
      const page = await backend.list(prefix, { revision: rev, startAfter: after, limit: sel.filtered ? CHUNK : want });
      rev = page.revision;
      for (const kv of page.items) {
        lastKey = kv.key;
        const obj = store.decode(kv);
        if (sel.predicate(obj)) items.push(obj);
        if (limit && items.length >= limit) break;
      }
      const consumedAll = !limit || items.length < limit || lastKey === page.items[page.items.length - 1]?.key;
      remaining = page.remaining + (consumedAll ? 0 : page.items.length - page.items.findIndex((kv) => kv.key === lastKey) - 1);
      if (limit && items.length >= limit) break;
      if (page.remaining === 0 || page.items.length === 0) {
        remaining = 0;
        break;
      }
      after = page.items[page.items.length - 1]!.key;
    }
    const list = listResult(items, rev!);
    if (limit && remaining > 0 && lastKey) {
      list.metadata.continue = encodeContinue(rev!, lastKey);
      if (!sel.filtered) list.metadata.remainingItemCount = remaining;
    }
    return list;
  }

  function listResult(objs: KubeObject[], rev: number): KubeList {
    return { apiVersion: store.apiVersion, kind: `${store.info.kind}List`, metadata: { resourceVersion: String(rev) }, items: objs };
  }
}

/**
 * A list answered as JSON text spliced from the stored values, for the common case of no
 * selectors; undefined when the request or a stored value needs the decoding path.
 */
export async function listRawJson(store: ResourceStore, namespace: string, req: ListRequest): Promise<string | undefined> {
  if (req.labelSelector || req.fieldSelector || req.resourceVersionMatch === 'Exact') return undefined;
  const { revision, startAfter } = startPoint(req);
  let page;
  try {
    page = await store.deps.backend.list(collectionPrefix(store.info, namespace), { revision, startAfter, limit: req.limit });
  } catch (e) {
    if (isStorageError(e, 'Compacted')) return undefined; // the decoding path words the 410
    throw e;
  }
  const items: string[] = [];
  for (const kv of page.items) {
    const raw = rawWithVersion(kv, store.apiVersion, store.info.kind);
    if (raw === undefined) return undefined;
    items.push(raw);
  }
  const meta: Record<string, unknown> = { resourceVersion: String(page.revision) };
  const last = page.items[page.items.length - 1];
  if (req.limit && page.remaining > 0 && last) {
    meta.continue = encodeContinue(page.revision, last.key);
    meta.remainingItemCount = page.remaining;
  }
  return `{"apiVersion":${JSON.stringify(store.apiVersion)},"kind":"${store.info.kind}List","metadata":${JSON.stringify(meta)},"items":[${items.join(',')}]}`;
}
