// A cluster's context in the user's own kubeconfig, as kind writes `kind-<name>`: `up
// --merge-kubeconfig` adds (or replaces) the cluster, user and context named after the cluster
// and makes it current; `delete` takes them out again. Everything else in the file is kept as it
// was. The merge is pure; reading and writing the file are beside it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

interface Named {
  name: string;
  [k: string]: unknown;
}

export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

const put = (list: Named[] | undefined, entry: Named): Named[] => [...(list ?? []).filter((e) => e.name !== entry.name), entry];

/** `user` with the single context of `ours` (a kubeconfig `k8ts up` wrote) added and made current. */
export function mergeContext(user: Kubeconfig, ours: Kubeconfig): Kubeconfig {
  const ctx = ours.contexts?.[0];
  const cluster = ours.clusters?.[0];
  const u = ours.users?.[0];
  if (!ctx || !cluster || !u) throw new Error('the cluster kubeconfig has no context to merge');
  return {
    ...user,
    apiVersion: user.apiVersion ?? 'v1',
    kind: user.kind ?? 'Config',
    clusters: put(user.clusters, cluster),
    users: put(user.users, u),
    contexts: put(user.contexts, ctx),
    'current-context': ctx.name,
  };
}

/** `user` without the context, cluster and user named `name`; current-context cleared if it was that. */
export function removeContext(user: Kubeconfig, name: string): Kubeconfig {
  const out: Kubeconfig = {
    ...user,
    clusters: (user.clusters ?? []).filter((e) => e.name !== name),
    users: (user.users ?? []).filter((e) => e.name !== name),
    contexts: (user.contexts ?? []).filter((e) => e.name !== name),
  };
  if (user['current-context'] === name) out['current-context'] = '';
  return out;
}

/** The user's kubeconfig: the first path of $KUBECONFIG, else ~/.kube/config (kubectl's rule for writes). */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
  return first ?? join(env.HOME || homedir(), '.kube', 'config');
}

function read(path: string): Kubeconfig {
  if (!existsSync(path)) return {};
  const parsed = parse(readFileSync(path, 'utf8')) as Kubeconfig | null;
  if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new Error(`${path} is not a kubeconfig (not a YAML mapping): left as it is`);
  return parsed ?? {};
}

function write(path: string, cfg: Kubeconfig): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.k8ts.tmp`, stringify(cfg), { mode: 0o600 });
  renameSync(`${path}.k8ts.tmp`, path);
}

/** Adds the cluster's context (from its own kubeconfig file) to the user's kubeconfig; returns the path and context. */
export function mergeIntoUserKubeconfig(clusterKubeconfig: string, env: NodeJS.ProcessEnv = process.env): { path: string; context: string } {
  const path = userKubeconfigPath(env);
  const merged = mergeContext(read(path), read(clusterKubeconfig));
  write(path, merged);
  return { path, context: merged['current-context']! };
}

/** Takes the context `name` out of the user's kubeconfig, if it is there. */
export function removeFromUserKubeconfig(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const path = userKubeconfigPath(env);
  if (!existsSync(path)) return false;
  const cfg = read(path);
  if (!(cfg.contexts ?? []).some((c) => c.name === name)) return false;
  write(path, removeContext(cfg, name));
  return true;
}
