// Indexes over shared informers for the endpoint controllers, kept up to date by informer
// handlers (client-go's indexers): pods by namespace and by node, Services by namespace,
// EndpointSlices by the Service they belong to. A sync of one Service then reads only its
// namespace, never every pod of the cluster.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';
import { podEndpointsChanged, podSpec, sameMap, selectorOf, selects, SERVICE_NAME_LABEL } from './pods.ts';

/** Objects grouped by a key, each group by object name. */
class Groups {
  private readonly groups = new Map<string, Map<string, KubeObject>>();

  set(group: string, name: string, obj: KubeObject): void {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Map()));
    g.set(name, obj);
  }

  delete(group: string, name: string): void {
    const g = this.groups.get(group);
    if (!g) return;
    g.delete(name);
    if (g.size === 0) this.groups.delete(group);
  }

  get(group: string): ReadonlyMap<string, KubeObject> | undefined {
    return this.groups.get(group);
  }
}

export class PodIndex {
  private readonly byNamespace = new Groups();
  private readonly byNode = new Groups();
  /** By each of their labels: `namespace`, NUL, `key=value`. */
  private readonly byLabel = new Groups();

  constructor(readonly informer: Informer) {
    informer.addHandlers({
      add: (p) => this.put(undefined, p),
      update: (old, p) => this.put(old, p),
      delete: (p) => this.remove(p),
    });
  }

  private put(old: KubeObject | undefined, p: KubeObject): void {
    const ns = p.metadata.namespace!;
    const name = p.metadata.name!;
    this.byNamespace.set(ns, name, p);
    const oldNode = old ? podSpec(old).nodeName : undefined;
    const node = podSpec(p).nodeName;
    if (oldNode && oldNode !== node) this.byNode.delete(oldNode, `${ns}/${name}`);
    if (node) this.byNode.set(node, `${ns}/${name}`, p);
    const labels = p.metadata.labels ?? {};
    if (old) for (const k in old.metadata.labels) if (labels[k] !== old.metadata.labels[k]) this.byLabel.delete(`${ns}\u0000${k}=${old.metadata.labels[k]}`, name);
    for (const k in labels) this.byLabel.set(`${ns}\u0000${k}=${labels[k]}`, name, p);
  }

  private remove(p: KubeObject): void {
    const ns = p.metadata.namespace!;
    const name = p.metadata.name!;
    this.byNamespace.delete(ns, name);
    const node = podSpec(p).nodeName;
    if (node) this.byNode.delete(node, `${ns}/${name}`);
    for (const k in p.metadata.labels) this.byLabel.delete(`${ns}\u0000${k}=${p.metadata.labels[k]}`, name);
  }

  inNamespace(namespace: string): Iterable<KubeObject> {
    return this.byNamespace.get(namespace)?.values() ?? [];
  }

  /** The pods of a namespace with this label. */
  withLabel(namespace: string, key: string, value: string): Iterable<KubeObject> {
    return this.byLabel.get(`${namespace}\u0000${key}=${value}`)?.values() ?? [];
  }

  onNode(node: string): Iterable<KubeObject> {
    return this.byNode.get(node)?.values() ?? [];
  }
}

/**
 * Services by namespace, and which pods each Service with a selector selects, kept as pods and
 * Services change: a sync of a Service reads its own pods, not its namespace's.
 */
export class ServiceIndex {
  private readonly byNamespace = new Groups();
  /** `namespace/service` → pod name → pod. */
  private readonly members = new Groups();
  /** `namespace/pod` → the Services selecting it. */
  private readonly podServices = new Map<string, readonly string[]>();
  // The answer of selecting() per pod object, valid while no Service changed its selector: every
  // endpoint controller asks it for the same pod event, and a namespace may hold many Services.
  private readonly memberships = new WeakMap<KubeObject, { gen: number; keys: string[] }>();
  private gen = 0;
  /**
   * Services with a selector, by one label of their selector (`namespace`, NUL, `key=value`): a
   * pod can only be selected by the Services filed under one of its own labels.
   */
  private readonly bySelectorLabel = new Groups();

  constructor(
    readonly informer: Informer,
    private readonly pods: PodIndex,
  ) {
    informer.addHandlers({
      add: (s) => {
        this.byNamespace.set(s.metadata.namespace!, s.metadata.name!, s);
        this.file(s, true);
        if (selectorOf(s)) this.refresh(s);
      },
      update: (old, s) => {
        this.byNamespace.set(s.metadata.namespace!, s.metadata.name!, s);
        this.file(old, false);
        this.file(s, true);
        if (!sameMap(selectorOf(old), selectorOf(s))) this.refresh(s);
      },
      delete: (s) => {
        this.byNamespace.delete(s.metadata.namespace!, s.metadata.name!);
        this.file(s, false);
        if (selectorOf(s)) this.refresh(s, true);
      },
    });
    pods.informer.addHandlers({ add: (p) => this.place(p), update: (_o, p) => this.place(p), delete: (p) => this.unplace(p) });
  }

  /** `namespace/name` of the Services with a selector that matches the pod (GetPodServiceMemberships). */
  selecting(pod: KubeObject): string[] {
    const cached = this.memberships.get(pod);
    if (cached?.gen === this.gen) return cached.keys;
    const keys: string[] = [];
    const labels = pod.metadata.labels;
    const ns = pod.metadata.namespace!;
    for (const k in labels) {
      for (const s of this.bySelectorLabel.get(`${ns}\u0000${k}=${labels[k]}`)?.values() ?? []) {
        if (selects(selectorOf(s)!, labels)) keys.push(`${ns}/${s.metadata.name}`);
      }
    }
    if (keys.length > 1) keys.sort();
    this.memberships.set(pod, { gen: this.gen, keys });
    return keys;
  }

  private file(svc: KubeObject, add: boolean): void {
    const sel = selectorOf(svc);
    if (!sel) return;
    const k = Object.keys(sel)[0]!;
    const group = `${svc.metadata.namespace}\u0000${k}=${sel[k]}`;
    if (add) this.bySelectorLabel.set(group, svc.metadata.name!, svc);
    else this.bySelectorLabel.delete(group, svc.metadata.name!);
  }

  /** The pods the Service `namespace/name` selects (none without a selector). */
  selected(key: string): Iterable<KubeObject> {
    return this.members.get(key)?.values() ?? [];
  }

  /** The pod of that name if the Service selects it. */
  member(key: string, pod: string): KubeObject | undefined {
    return this.members.get(key)?.get(pod);
  }

  private place(p: KubeObject): void {
    const name = p.metadata.name!;
    const podKey = `${p.metadata.namespace}/${name}`;
    const keys = this.selecting(p);
    const prev = this.podServices.get(podKey);
    if (prev) for (const k of prev) if (!keys.includes(k)) this.members.delete(k, name);
    for (const k of keys) this.members.set(k, name, p);
    if (keys.length) this.podServices.set(podKey, keys);
    else this.podServices.delete(podKey);
  }

  private unplace(p: KubeObject): void {
    const podKey = `${p.metadata.namespace}/${p.metadata.name}`;
    for (const k of this.podServices.get(podKey) ?? []) this.members.delete(k, p.metadata.name!);
    this.podServices.delete(podKey);
  }

  /** A Service's selector changed (or it went): its members, found again in its namespace. */
  private refresh(svc: KubeObject, deleted = false): void {
    this.gen++;
    const ns = svc.metadata.namespace!;
    const key = `${ns}/${svc.metadata.name}`;
    const sel = deleted ? undefined : selectorOf(svc);
    const before = [...(this.members.get(key)?.keys() ?? [])];
    const now = new Set<string>();
    if (sel) {
      // Candidates: the pods with one of the selector's labels.
      const k = Object.keys(sel)[0]!;
      for (const p of this.pods.withLabel(ns, k, sel[k]!)) {
        if (!selects(sel, p.metadata.labels)) continue;
        const name = p.metadata.name!;
        now.add(name);
        this.members.set(key, name, p);
        const podKey = `${ns}/${name}`;
        const cur = this.podServices.get(podKey) ?? [];
        if (!cur.includes(key)) this.podServices.set(podKey, [...cur, key]);
      }
    }
    for (const name of before) {
      if (now.has(name)) continue;
      this.members.delete(key, name);
      const podKey = `${ns}/${name}`;
      const rest = (this.podServices.get(podKey) ?? []).filter((k) => k !== key);
      if (rest.length) this.podServices.set(podKey, rest);
      else this.podServices.delete(podKey);
    }
  }
}

/** EndpointSlices by `namespace/<kubernetes.io/service-name>`. */
export class SliceIndex {
  private readonly byService = new Groups();

  constructor(readonly informer: Informer) {
    informer.addHandlers({
      add: (s) => this.put(undefined, s),
      update: (old, s) => this.put(old, s),
      delete: (s) => {
        const k = serviceKeyOfSlice(s);
        if (k) this.byService.delete(k, s.metadata.name!);
      },
    });
  }

  private put(old: KubeObject | undefined, s: KubeObject): void {
    const before = old && serviceKeyOfSlice(old);
    const key = serviceKeyOfSlice(s);
    if (before && before !== key) this.byService.delete(before, s.metadata.name!);
    if (key) this.byService.set(key, s.metadata.name!, s);
  }

  /** The slices labelled for the Service `namespace/name`. */
  of(serviceKey: string): KubeObject[] {
    return [...(this.byService.get(serviceKey)?.values() ?? [])];
  }
}

export function serviceKeyOfSlice(s: KubeObject): string | undefined {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc ? `${s.metadata.namespace}/${svc}` : undefined;
}

/**
 * The Services to sync after a pod update (GetServicesToUpdateOnPodChange): none when nothing
 * endpoints read changed; those selecting the pod when only its endpoint changed; with a label
 * change, those selecting it before or after (all of them if its endpoint changed too, else only
 * those it joined or left).
 */
export function servicesForPodUpdate(services: ServiceIndex, old: KubeObject, pod: KubeObject): string[] {
  if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return [];
  const { changed, labelsChanged } = podEndpointsChanged(old, pod);
  if (!changed && !labelsChanged) return [];
  const now = services.selecting(pod);
  if (!labelsChanged) return now;
  const before = services.selecting(old);
  if (changed) return [...new Set([...before, ...now])];
  const a = new Set(before);
  const b = new Set(now);
  return [...before.filter((k) => !b.has(k)), ...now.filter((k) => !a.has(k))];
}
