// Which volumes a claim could bind to, kept as volumes come and go: those no claim holds, and
// those whose claimRef names the claim. Upstream's binder scans every volume for every claim;
// with thousands of provisioned (hence claimed) volumes that scan dominated each claim's sync.
// Names come in the informer's order, so ties between equal volumes break as a scan of it would.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';

const claimRefKey = (pv: KubeObject): string | undefined => {
  const ref = (pv.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
  return ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : undefined;
};

export class CandidateIndex {
  private readonly unclaimed = new Set<string>();
  private readonly byClaim = new Map<string, Set<string>>();
  // Where each volume is filed, to move or drop it.
  private readonly filed = new Map<string, string | undefined>();
  // Each volume's place in the informer's cache (insertion order: first add, until deleted).
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;

  constructor(volumes: Informer) {
    volumes.addHandlers({
      add: (v) => {
        if (!this.seq.has(v.metadata.name!)) this.seq.set(v.metadata.name!, this.nextSeq++);
        this.file(v);
      },
      update: (_o, v) => this.file(v),
      delete: (v) => {
        this.seq.delete(v.metadata.name!);
        this.drop(v.metadata.name!);
      },
    });
  }

  /** Names of the volumes no claim holds plus those held for namespace/name, in the informer's order. */
  candidates(namespace: string, name: string): string[] {
    const out = [...this.unclaimed, ...(this.byClaim.get(`${namespace}/${name}`) ?? [])];
    return out.length > 1 ? out.sort((a, b) => (this.seq.get(a) ?? 0) - (this.seq.get(b) ?? 0)) : out;
  }

  private file(pv: KubeObject): void {
    const name = pv.metadata.name!;
    const key = claimRefKey(pv);
    if (this.filed.has(name) && this.filed.get(name) === key) return;
    this.drop(name);
    this.filed.set(name, key);
    if (key === undefined) this.unclaimed.add(name);
    else {
      let set = this.byClaim.get(key);
      if (!set) this.byClaim.set(key, (set = new Set()));
      set.add(name);
    }
  }

  private drop(name: string): void {
    if (!this.filed.has(name)) return;
    const key = this.filed.get(name);
    this.filed.delete(name);
    if (key === undefined) this.unclaimed.delete(name);
    else {
      const set = this.byClaim.get(key);
      set?.delete(name);
      if (set?.size === 0) this.byClaim.delete(key);
    }
  }
}
