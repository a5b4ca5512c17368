// Roles, cluster roles and their bindings as the authorizer reads them: listed once and kept by
// one watch on the store's rbac.authorization.k8s.io prefix, so every request decides without a
// read (upstream's RBAC authorizer reads shared informers the same way). It works before any
// controller starts, as authorization must. A dropped watch lists again from scratch.
import type { Backend, KeyValue } from '../../store/backend.ts';
import type { Clock } from '../../util/clock.ts';
import type { BindingObject, RbacSource, RoleObject } from './resolver.ts';

const PREFIX = '/registry/rbac.authorization.k8s.io/';
const RETRY_MS = 200;

type Kind = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';

export class RbacCache implements RbacSource {
  private readonly roles = new Map<string, RoleObject>();
  private readonly clusterRoles = new Map<string, RoleObject>();
  /** Namespace → binding name → binding. */
  private readonly bindings = new Map<string, Map<string, BindingObject>>();
  private readonly clusterBindings = new Map<string, BindingObject>();
  private readonly stop = new AbortController();
  private revision = 0;

  constructor(
    private readonly backend: Backend,
    private readonly opts: { clock: Clock; log?: (m: string) => void },
  ) {}

  /** Resolves once the first list is in; keeps watching until close(). */
  async start(): Promise<void> {
    await this.relist();
    void this.watchLoop();
  }

  close(): void {
    this.stop.abort();
  }

  role(namespace: string, name: string): RoleObject | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }

  clusterRole(name: string): RoleObject | undefined {
    return this.clusterRoles.get(name);
  }

  roleBindings(namespace: string): readonly BindingObject[] {
    return [...(this.bindings.get(namespace)?.values() ?? [])];
  }

  clusterRoleBindings(): readonly BindingObject[] {
    return [...this.clusterBindings.values()];
  }

  /** Every cluster role (for access reviews that list rules and for tests). */
  allClusterRoles(): readonly RoleObject[] {
    return [...this.clusterRoles.values()];
  }

  private async relist(): Promise<void> {
    const list = await this.backend.list(PREFIX);
    this.roles.clear();
    this.clusterRoles.clear();
    this.bindings.clear();
    this.clusterBindings.clear();
    for (const kv of list.items) this.put(kv);
    this.revision = list.revision;
  }

  private async watchLoop(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        for await (const batch of this.backend.watch(PREFIX, { afterRevision: this.revision, signal })) {
          for (const ev of batch) {
            if (ev.type === 'delete') this.remove(ev.kv.key);
            else this.put(ev.kv);
            this.revision = ev.revision;
          }
        }
      } catch (e) {
        if (!signal.aborted) this.opts.log?.(`rbac cache: watch ended: ${(e as Error).message}; listing again`);
      }
      if (signal.aborted) return;
      // Pace the retries so a store that keeps failing is not hammered.
      await new Promise<void>((resolve) => this.opts.clock.setTimer(resolve, RETRY_MS));
      try {
        await this.relist();
      } catch (e) {
        this.opts.log?.(`rbac cache: list failed: ${(e as Error).message}`);
      }
    }
  }

  private put(kv: KeyValue): void {
    const at = parseKey(kv.key);
    if (!at) return;
    const obj = JSON.parse(kv.value) as RoleObject & BindingObject;
    this.mapFor(at.kind, at.namespace, true)!.set(at.kind === 'roles' ? `${at.namespace}/${at.name}` : at.name, obj);
  }

  private remove(key: string): void {
    const at = parseKey(key);
    if (!at) return;
    this.mapFor(at.kind, at.namespace, false)?.delete(at.kind === 'roles' ? `${at.namespace}/${at.name}` : at.name);
  }

  private mapFor(kind: Kind, namespace: string, create: boolean): Map<string, RoleObject | BindingObject> | undefined {
    switch (kind) {
      case 'roles':
        return this.roles;
      case 'clusterroles':
        return this.clusterRoles;
      case 'clusterrolebindings':
        return this.clusterBindings;
      case 'rolebindings': {
        let m = this.bindings.get(namespace);
        if (!m && create) this.bindings.set(namespace, (m = new Map()));
        return m;
      }
    }
  }
}

function parseKey(key: string): { kind: Kind; namespace: string; name: string } | undefined {
  const parts = key.slice(PREFIX.length).split('/');
  const kind = parts[0] as Kind;
  if ((kind === 'roles' || kind === 'rolebindings') && parts.length === 3) return { kind, namespace: parts[1]!, name: parts[2]! };
  if ((kind === 'clusterroles' || kind === 'clusterrolebindings') && parts.length === 2) return { kind, namespace: '', name: parts[1]! };
  return undefined;
}
