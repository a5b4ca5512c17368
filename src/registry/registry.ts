// One ResourceStore per served group/version/resource, wired with its strategy. Built-in resources
// come from src/api/resources.ts; custom resources are added when their CRDs are established.
import type { KubeObject } from '../api/meta/types.ts';
import { BUILTIN_RESOURCES, type ResourceInfo } from '../api/resources.ts';
import type { Backend } from '../store/backend.ts';
import type { Clock } from '../util/clock.ts';
import type { FieldChecker } from './field-checker.ts';
import { ResourceStore, type Admission } from './resource-store.ts';
import type { Strategy } from './strategy.ts';

export interface RegistryOptions {
  backend: Backend;
  clock: Clock;
  strategyFor: (group: string, kind: string) => Strategy;
  fieldChecker?: FieldChecker;
  admission?: Admission[];
  resources?: readonly ResourceInfo[];
}

export function resourceId(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

export class Registry {
  readonly backend: Backend;
  readonly clock: Clock;
  private readonly stores = new Map<string, ResourceStore>();
  private readonly listeners = new Set<(change: 'added' | 'removed', info: ResourceInfo) => void>();
  private readonly opts: RegistryOptions;

  constructor(opts: RegistryOptions) {
    this.opts = opts;
    this.backend = opts.backend;
    this.clock = opts.clock;
    for (const info of opts.resources ?? BUILTIN_RESOURCES) this.add(info);
  }

  /** Serves a resource; custom resources bring their own strategy. */
  add(info: ResourceInfo, strategy?: Strategy): ResourceStore {
    const store = new ResourceStore(info, {
      backend: this.opts.backend,
      clock: this.opts.clock,
      strategy: strategy ?? this.opts.strategyFor(info.group, info.kind),
      fieldChecker: this.opts.fieldChecker,
      admission: this.opts.admission,
      gracePeriod: info.group === '' && info.kind === 'Pod' ? podGracePeriod : undefined,
      holdsDeletion: info.group === '' && info.kind === 'Namespace' ? namespaceHoldsDeletion : undefined,
    });
    this.stores.set(resourceId(info.group, info.version, info.resource), store);
    for (const l of this.listeners) l('added', info);
    return store;
  }

  remove(group: string, version: string, resource: string): void {
    const id = resourceId(group, version, resource);
    const store = this.stores.get(id);
    if (!store) return;
    this.stores.delete(id);
    for (const l of this.listeners) l('removed', store.info);
  }

  /** Tells about resources served or withdrawn after start (custom resources). */
  onChange(listener: (change: 'added' | 'removed', info: ResourceInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(group: string, version: string, resource: string): ResourceStore | undefined {
    return this.stores.get(resourceId(group, version, resource));
  }

  resources(): ResourceInfo[] {
    return [...this.stores.values()].map((s) => s.info);
  }
}

/**
 * Pods end gracefully (pkg/registry/core/pod/strategy.go CheckGracefulDelete): the requested
 * period or the pod's own, but at once when the pod never reached a node or already finished.
 */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number | undefined {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? spec.terminationGracePeriodSeconds ?? 30;
  // Upstream turns a 0 request into 1 s unless forced; the kubelet then finishes the delete.
  return Math.max(grace, 0);
}

/**
 * Namespaces are deleted in two steps (pkg/registry/core/namespace/storage): the delete marks
 * them Terminating while spec.finalizers is not empty; the namespace controller empties the
 * namespace and then clears spec.finalizers through the finalize subresource.
 */
export function namespaceHoldsDeletion(ns: KubeObject): boolean {
  const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  if (finalizers.length === 0) return false;
  ns.status = { ...((ns.status as object | undefined) ?? {}), phase: 'Terminating' };
  return true;
}
