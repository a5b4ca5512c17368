// What request handlers need from the server around them, gathered so handlers stay functions.
import type { GroupVersionKind, KubeObject } from '../api/meta/types.ts';
import type { SchemaNode } from '../api/schema/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { Clock } from '../util/clock.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

export interface TrackArgs {
  live: KubeObject | undefined;
  updated: KubeObject;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  store: ResourceStore;
}

export interface ApplyArgs {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  store: ResourceStore;
  subresource?: string;
}

export interface ApiServerContext {
  registry: Registry;
  clock: Clock;
  log: (msg: string) => void;
  schemaFor(gvk: GroupVersionKind): SchemaNode | undefined;
  /** Records managed fields for a non-apply write. */
  trackUpdate(args: TrackArgs): KubeObject;
  /** Server-side apply of `applied` onto `live`. */
  apply(args: ApplyArgs): KubeObject;
  /** Pod log, exec, attach, port-forward: served by the node agent that runs the pod. */
  podSubresource?(req: ApiRequest, q: URLSearchParams, target: { store: ResourceStore; namespace: string; name?: string; subresource?: string }): Promise<ApiResponse>;
  /** Creates of virtual resources (access reviews, SelfSubjectReview): answered, never stored. */
  review?(req: ApiRequest, info: ResourceInfo, namespace: string): Promise<ApiResponse>;
  /** serviceaccounts/token (TokenRequest): issues a token; absent when this server signs none. */
  tokenRequest?(req: ApiRequest, namespace: string, name: string): Promise<ApiResponse>;
  /** Disruption budget check before an eviction; throws 429 when the eviction must wait. */
  admitEviction?(namespace: string, name: string): Promise<void>;
}
