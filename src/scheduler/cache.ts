// The scheduler's view of the cluster (pkg/scheduler/backend/cache/cache.go): NodeInfos kept
// current from the informers, plus pods the scheduler has assumed onto a node (bound, or being
// bound, but not yet seen with spec.nodeName by the informer), so back-to-back pods never
// overcommit a node. An assumed pod is confirmed when the informer reports it placed, and
// forgotten if its binding fails.
import { NodeInfo } from './node-info.ts';
import { podInfo, type PodInfo } from './pod-info.ts';
import type { Node, Pod } from './types.ts';
import type { ClusterView } from './view.ts';

interface PodState {
  pi: PodInfo;
  ni: NodeInfo;
  assumed: boolean;
}

type Placed = [PodInfo, NodeInfo];

export class SchedulerCache implements ClusterView {
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes whose Node object exists (a NodeInfo may outlive its Node while pods remain). */
  private readonly existing = new Set<string>();
  private list: NodeInfo[] = [];
  private listDirty = false;
  private readonly pods = new Map<string, PodState>();
  private readonly byNamespace = new Map<string, Map<string, Placed>>();
  private readonly withAffinity = new Map<string, Placed>();
  private readonly withRequiredAnti = new Map<string, Placed>();
  private readonly namespaces = new Map<string, Record<string, string>>();

  get nodes(): readonly NodeInfo[] {
    if (this.listDirty) {
      this.list = [...this.existing].map((n) => this.infos.get(n)!);
      this.listDirty = false;
    }
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.existing.has(name) ? this.infos.get(name) : undefined;
  }

  get podCount(): number {
    return this.pods.size;
  }

  nsLabels = (ns: string): Record<string, string> | undefined => this.namespaces.get(ns);

  setNamespace(name: string, labels: Record<string, string> | undefined): void {
    if (labels) this.namespaces.set(name, labels);
    else this.namespaces.delete(name);
  }

  *assignedPods(namespace?: string): Iterable<Placed> {
    if (namespace !== undefined) {
      const m = this.byNamespace.get(namespace);
      if (m) yield* m.values();
      return;
    }
    for (const s of this.pods.values()) yield [s.pi, s.ni];
  }

  podsWithAffinity(): Iterable<Placed> {
    return this.withAffinity.values();
  }

  podsWithRequiredAntiAffinity(): Iterable<Placed> {
    return this.withRequiredAnti.values();
  }

  /** Adds or replaces a node; resolves to the NodeInfo. */
  upsertNode(node: Node): NodeInfo {
    const name = node.metadata.name!;
    let ni = this.infos.get(name);
    if (ni) ni.setNode(node);
    else this.infos.set(name, (ni = new NodeInfo(node)));
    if (!this.existing.has(name)) {
      this.existing.add(name);
      this.listDirty = true;
    }
    return ni;
  }

  /** The node leaves the candidate list; its pods stay accounted until they are deleted. */
  removeNode(name: string): void {
    if (!this.existing.delete(name)) return;
    this.listDirty = true;
    const ni = this.infos.get(name);
    if (ni && ni.pods.size === 0) this.infos.delete(name);
  }

  private infoFor(nodeName: string): NodeInfo {
    let ni = this.infos.get(nodeName);
    if (!ni) this.infos.set(nodeName, (ni = new NodeInfo({ metadata: { name: nodeName } })));
    return ni;
  }

  private place(pi: PodInfo, ni: NodeInfo, assumed: boolean): void {
    this.pods.set(pi.uid, { pi, ni, assumed });
    ni.addPod(pi);
    const placed: Placed = [pi, ni];
    let ns = this.byNamespace.get(pi.namespace);
    if (!ns) this.byNamespace.set(pi.namespace, (ns = new Map()));
    ns.set(pi.uid, placed);
    if (pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length) this.withAffinity.set(pi.uid, placed);
    if (pi.requiredAntiAffinity.length) this.withRequiredAnti.set(pi.uid, placed);
  }

  private unplace(uid: string): PodState | undefined {
    const s = this.pods.get(uid);
    if (!s) return undefined;
    this.pods.delete(uid);
    s.ni.removePod(uid);
    const ns = this.byNamespace.get(s.pi.namespace);
    ns?.delete(uid);
    if (ns && !ns.size) this.byNamespace.delete(s.pi.namespace);
    this.withAffinity.delete(uid);
    this.withRequiredAnti.delete(uid);
    // A NodeInfo kept only for the pods of a deleted node goes with its last pod.
    if (!this.existing.has(s.ni.name) && s.ni.pods.size === 0) this.infos.delete(s.ni.name);
    return s;
  }

  /** Accounts a pod on a node before its binding is confirmed by the informer. */
  assume(pi: PodInfo, nodeName: string): void {
    this.unplace(pi.uid);
    this.place(pi, this.infoFor(nodeName), true);
  }

  /** Drops an assumed pod whose binding failed; a confirmed pod is left alone. */
  forget(uid: string): void {
    if (this.pods.get(uid)?.assumed) this.unplace(uid);
  }

  isAssumed(uid: string): boolean {
    return !!this.pods.get(uid)?.assumed;
  }

  /**
   * The informer reports a pod with spec.nodeName (added or updated): it replaces any assumed or
   * older copy. Terminal pods (Succeeded/Failed) free their resources, as upstream.
   */
  setAssignedPod(pod: Pod): void {
    const pi = podInfo(pod);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.unplace(pi.uid);
      return;
    }
    const prev = this.pods.get(pi.uid);
    if (prev && !prev.assumed && prev.pi === pi) return;
    this.unplace(pi.uid);
    this.place(pi, this.infoFor(pod.spec!.nodeName!), false);
  }

  removePod(uid: string): boolean {
    return !!this.unplace(uid);
  }
}
