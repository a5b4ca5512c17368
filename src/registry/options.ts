// Request options the registry understands, named as the query parameters and DeleteOptions they
// come from (k8s.io/apimachinery/pkg/apis/meta/v1 types.go).
import type { KubeObject } from '../api/meta/types.ts';
import type { UserInfo } from '../auth/user.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** A built-in component's write (ApiRequest.trusted): built-in kinds skip the schema field check. */
  trusted?: boolean;
  /** Who writes, for admission that decides on it (RBAC escalation checks). */
  user?: UserInfo;
  /**
   * Records managed fields for a non-apply write: given the live object (undefined on create) and
   * the object about to be stored, returns it with metadata.managedFields updated.
   */
  manageFields?: (live: KubeObject | undefined, updated: KubeObject) => KubeObject;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** True when the write created the object (201 instead of 200). */
  created: boolean;
}

export interface UpdateRequest extends WriteOptions {
  /**
   * Computes the object to store from the current one (undefined when absent). Called again with a
   * fresh copy when another writer got there first, unless the result pins a resourceVersion.
   */
  mutate(current: KubeObject | undefined): KubeObject | Promise<KubeObject>;
  /** Create the object when absent (server-side apply; PUT for kinds that allow it). */
  createIfMissing?: boolean;
  /** Write only the status (status subresource rules). */
  subresource?: 'status';
  /** A resourceVersion in the mutated object is a precondition (PUT, patches that set it). */
  honorResourceVersion?: boolean;
  /**
   * Store the mutation as it is, skipping the strategy (server-internal writes such as pod
   * binding and namespace finalization, which upstream also writes past the strategy).
   */
  bypassStrategy?: boolean;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  /** Deprecated form of propagationPolicy Orphan. */
  orphanDependents?: boolean;
  preconditions?: Preconditions;
}

export interface DeleteResult {
  /** The object as it is now: gone (final state) or pending deletion with deletionTimestamp. */
  object: KubeObject;
  /** True when the object was removed from the store by this call. */
  deleted: boolean;
}

export interface ListRequest {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchRequest {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  signal?: AbortSignal;
  /** Events a watch may hold for a slow consumer before it is dropped (default WATCH_BUFFER_EVENTS). */
  bufferEvents?: number;
}

export type WatchEventKind = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ApiWatchEvent {
  type: WatchEventKind;
  object: KubeObject;
}
