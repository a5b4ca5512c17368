// The typed client every controller uses. Requests go through a Transport: in process it is
// ApiServer.handle (same validation, defaulting and managed fields as kubectl's requests), for a
// remote agent an HTTPS transport. Swapping transports is the only difference.
import { ApiError, type StatusReason } from '../api/errors.ts';
import type { KubeList, KubeObject, Status } from '../api/meta/types.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import type { ApiWatchEvent, DeleteOptions, ListRequest } from '../registry/options.ts';

export type Transport = (req: ApiRequest) => Promise<ApiResponse>;

export interface ResourceRef {
  /** `v1`, `apps/v1`, … */
  apiVersion: string;
  /** Plural resource name. */
  resource: string;
  namespaced: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WriteParams {
  fieldManager?: string;
  dryRun?: boolean;
  force?: boolean;
}

export class Client {
  readonly transport: Transport;
  readonly userAgent: string;

  constructor(transport: Transport, opts: { userAgent?: string } = {}) {
    this.transport = transport;
    this.userAgent = opts.userAgent ?? 'k8ts';
  }

  resource(ref: ResourceRef): ResourceClient {
    return new ResourceClient(this, ref);
  }

  async request(method: string, url: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<ApiResponse> {
    const req: ApiRequest = {
      method,
      url,
      headers: { accept: 'application/json', 'user-agent': this.userAgent, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      signal,
    };
    return this.transport(req);
  }
}

function raise(res: ApiResponse): never {
  let status: Partial<Status> = {};
  try {
    status = JSON.parse(String(res.body ?? '{}')) as Status;
  } catch {
    /* not a Status */
  }
  throw new ApiError((status.reason as StatusReason) ?? 'InternalError', res.status, status.message ?? `request failed with ${res.status}`, status.details);
}

function bodyOf<T>(res: ApiResponse): T {
  if (res.status >= 400) raise(res);
  if (res.value !== undefined) return res.value as T;
  return JSON.parse(typeof res.body === 'string' ? res.body : Buffer.from(res.body ?? '').toString('utf8')) as T;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ResourceClient {
  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
  ) {}

  path(namespace?: string, name?: string, subresource?: string): string {
    const base = this.ref.apiVersion.includes('/') ? `/apis/${this.ref.apiVersion}` : `/api/${this.ref.apiVersion}`;
    let p = this.ref.namespaced && namespace ? `${base}/namespaces/${namespace}/${this.ref.resource}` : `${base}/${this.ref.resource}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    return bodyOf(await this.client.request('GET', this.path(namespace, name)));
  }

  /** Like get, but undefined for a 404. */
  async find(namespace: string, name: string): Promise<KubeObject | undefined> {
    const res = await this.client.request('GET', this.path(namespace, name));
    return res.status === 404 ? undefined : bodyOf(res);
  }

  async list(namespace = '', opts: ListRequest = {}): Promise<KubeList> {
    return bodyOf(await this.client.request('GET', this.path(namespace) + query({ ...opts })));
  }

  async create(namespace: string, obj: KubeObject, p: WriteParams = {}): Promise<KubeObject> {
    return bodyOf(await this.client.request('POST', this.path(namespace) + query({ fieldManager: p.fieldManager, dryRun: p.dryRun ? 'All' : undefined }), obj));
  }

  async update(namespace: string, obj: KubeObject, p: WriteParams = {}): Promise<KubeObject> {
    return bodyOf(await this.client.request('PUT', this.path(namespace, obj.metadata.name) + query({ fieldManager: p.fieldManager }), obj));
  }

  async updateStatus(namespace: string, obj: KubeObject, p: WriteParams = {}): Promise<KubeObject> {
    return bodyOf(await this.client.request('PUT', this.path(namespace, obj.metadata.name, 'status') + query({ fieldManager: p.fieldManager }), obj));
  }

  async patch(namespace: string, name: string, type: PatchType, patch: unknown, p: WriteParams & { subresource?: string } = {}): Promise<KubeObject> {
    const url = this.path(namespace, name, p.subresource) + query({ fieldManager: p.fieldManager, force: p.force, dryRun: p.dryRun ? 'All' : undefined });
    return bodyOf(await this.client.request('PATCH', url, patch, PATCH_TYPES[type]));
  }

  /** Deletes; resolves to the object when deletion is pending, undefined when it is gone. 404 → undefined too. */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const res = await this.client.request('DELETE', this.path(namespace, name), opts);
    if (res.status === 404) return undefined;
    const body = bodyOf<KubeObject | Status>(res);
    return body.kind === 'Status' ? undefined : (body as KubeObject);
  }

  async put(namespace: string, name: string, subresource: string, body: unknown): Promise<unknown> {
    return bodyOf(await this.client.request('PUT', this.path(namespace, name, subresource), body));
  }

  async post(namespace: string, name: string, subresource: string, body: unknown): Promise<unknown> {
    return bodyOf(await this.client.request('POST', this.path(namespace, name, subresource), body));
  }

  /** Watches from a revision; yields events until the signal aborts or the server ends the stream. */
  async *watch(namespace: string, opts: { resourceVersion?: string; labelSelector?: string; fieldSelector?: string; allowWatchBookmarks?: boolean; signal?: AbortSignal }): AsyncGenerator<ApiWatchEvent> {
    const url =
      this.path(namespace) +
      query({ watch: 'true', resourceVersion: opts.resourceVersion, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, allowWatchBookmarks: opts.allowWatchBookmarks });
    const res = await this.client.request('GET', url, undefined, undefined, opts.signal);
    if (res.status >= 400) raise(res);
    if (res.events) {
      // In process: the server's shared, frozen event objects, no JSON in between.
      for await (const batch of res.events) yield* batch;
      return;
    }
    if (!res.stream) return;
    let pending = '';
    for await (const chunk of res.stream) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) yield JSON.parse(line) as ApiWatchEvent;
      }
    }
  }
}

/** Waits for a create, taking AlreadyExists (409) as done: someone made the object first. */
export async function createIfAbsent(created: Promise<unknown>): Promise<void> {
  try {
    await created;
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}
