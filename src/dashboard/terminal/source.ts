// Keeps one workload's screen current from the API: an informer (list, then watch; a fresh list
// after 410 or an outage) per resource its view reads, and a redraw at most every `coalesceMs`
// however many events arrive, so a rollout of thousands of pods does not redraw thousands of times.
import type { Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { daemonSetView } from '../model/daemonset.ts';
import { deploymentView } from '../model/deployment.ts';
import { emptyObjects, RESOURCES, type Objects, type ResourceName } from '../model/objects.ts';
import { statefulSetView } from '../model/statefulset.ts';
import { daemonSetScreen, deploymentScreen, statefulSetScreen, waitingScreen, type Screen } from './screen.ts';

export type WatchKind = 'statefulset' | 'daemonset' | 'deployment';

export interface WatchTarget {
  kind: WatchKind;
  namespace: string;
  name: string;
}

const KINDS: Record<string, WatchKind> = {
  sts: 'statefulset', statefulset: 'statefulset', statefulsets: 'statefulset', 'statefulsets.apps': 'statefulset',
  ds: 'daemonset', daemonset: 'daemonset', daemonsets: 'daemonset', 'daemonsets.apps': 'daemonset',
  deploy: 'deployment', deployment: 'deployment', deployments: 'deployment', 'deployments.apps': 'deployment',
};

/** `sts/web`, `statefulset/web`, `daemonsets.apps/fluentd`… as kubectl names them. */
export function parseTarget(ref: string, namespace: string): WatchTarget {
  const m = /^([a-z.]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(ref.trim().toLowerCase());
  const kind = m ? KINDS[m[1]!] : undefined;
  if (!m || !kind) throw new Error(`cannot watch "${ref}": name a StatefulSet, DaemonSet or Deployment as kubectl does, e.g. sts/web, ds/fluentd or deploy/nginx`);
  return { kind, namespace, name: m[2]! };
}

/** The resources each view reads, and whether they are read in the target's namespace. */
const READS: Record<WatchKind, ResourceName[]> = {
  statefulset: ['statefulsets', 'pods', 'persistentvolumeclaims', 'persistentvolumes'],
  daemonset: ['daemonsets', 'pods', 'nodes', 'controllerrevisions'],
  deployment: ['deployments', 'replicasets', 'pods'],
};

const OWN: Record<WatchKind, ResourceName> = { statefulset: 'statefulsets', daemonset: 'daemonsets', deployment: 'deployments' };

/** The screen for the target from what the informers hold. */
export function screenOf(target: WatchTarget, objects: Objects): Screen {
  const own = objects[OWN[target.kind]].find((o) => o.metadata.name === target.name && o.metadata.namespace === target.namespace);
  if (!own) return waitingScreen(target.kind, target.namespace, target.name);
  switch (target.kind) {
    case 'statefulset':
      return statefulSetScreen(statefulSetView(own, objects));
    case 'daemonset':
      return daemonSetScreen(daemonSetView(own, objects));
    case 'deployment':
      return deploymentScreen(deploymentView(own, objects));
  }
}

export interface ScreenSource {
  /** Resolves when every informer has its first list. */
  synced: Promise<void>;
  current(): Screen;
  stop(): void;
}

/** Follows `target`; `onScreen` gets each new screen (the first once every list is in). */
export function followScreen(client: Client, target: WatchTarget, onScreen: (s: Screen) => void, opts: { clock?: Clock; coalesceMs?: number; log?: (m: string) => void } = {}): ScreenSource {
  const clock = opts.clock ?? systemClock;
  const abort = new AbortController();
  const informers = new Map<ResourceName, Informer>();
  for (const resource of READS[target.kind]) {
    const { apiVersion, namespaced } = RESOURCES[resource];
    const rc = client.resource({ apiVersion, resource, namespaced });
    informers.set(resource, new Informer(rc, { namespace: namespaced ? target.namespace : undefined, clock, log: opts.log }));
  }
  const objects = (): Objects => {
    const o = emptyObjects() as unknown as Record<ResourceName, unknown>;
    for (const [resource, inf] of informers) o[resource] = inf.list();
    return o as unknown as Objects;
  };
  let synced = false;
  let pending: (() => void) | undefined;
  const draw = () => {
    pending = undefined;
    if (!abort.signal.aborted) onScreen(screenOf(target, objects()));
  };
  const changed = () => {
    if (synced && !pending) pending = clock.setTimer(draw, opts.coalesceMs ?? 50);
  };
  for (const inf of informers.values()) {
    inf.addHandlers({ add: changed, update: changed, delete: changed });
    void inf.run(abort.signal);
  }
  const all = Promise.all([...informers.values()].map((i) => i.waitForSync())).then(() => {
    synced = true;
    draw();
  });
  return {
    synced: all,
    current: () => screenOf(target, objects()),
    stop: () => {
      abort.abort();
      pending?.();
    },
  };
}
