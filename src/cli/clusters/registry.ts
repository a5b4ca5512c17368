// Where clusters live and how they are found again: each cluster's data dir holds `cluster.json`
// (its name and the `up` arguments it was started with, so `k8ts start` brings back the same
// cluster), and `$K8TS_HOME/clusters.json` lists every data dir `up` has used, so `k8ts list`,
// `stop`, `start` and `delete --name` work from any directory. Named clusters live in
// `$K8TS_HOME/clusters/<name>`; the unnamed one stays in `./.k8ts` as before.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '.k8ts';
/** The name of a cluster started without --name. */
export const UNNAMED = 'k8ts';

export interface ClusterRecord {
  name: string;
  /** `k8ts up` arguments, without the data dir, the name and the token. */
  args: string[];
  createdAt: string;
}

export function k8tsHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.K8TS_HOME || join(homedir(), '.k8ts'));
}

/** Cluster names are DNS labels: they become directory names and kubeconfig context names. */
export function checkClusterName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`invalid cluster name "${name}": use lowercase letters, digits and '-' (at most 63), starting and ending with a letter or digit`);
  return name;
}

/** The kubeconfig context (and cluster and user) name of a cluster. */
export const contextName = (name: string) => (name === UNNAMED ? 'k8ts' : `k8ts-${name}`);

/** `up` arguments worth keeping for `start`: the data dir and name are the record's place, the token stays out of files. */
export function recordedArgs(argv: readonly string[]): string[] {
  const dropWithValue = new Set(['--data-dir', '--name', '--token', '--from-snapshot']);
  const dropAlone = new Set(['--merge-kubeconfig']);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (dropWithValue.has(flag)) {
      if (!a.includes('=')) i++;
      continue;
    }
    if (dropAlone.has(flag)) continue;
    out.push(a);
  }
  return out;
}

/** `args` with `flag value` set (replacing any earlier `flag value` or `flag=value`). */
export function withArg(args: readonly string[], flag: string, value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) {
      i++;
      continue;
    }
    if (a.startsWith(`${flag}=`)) continue;
    out.push(a);
  }
  return [...out, flag, value];
}

export function readClusterRecord(dataDir: string): ClusterRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as Partial<ClusterRecord>;
    if (typeof r.name !== 'string' || !Array.isArray(r.args)) return undefined;
    return { name: r.name, args: r.args.filter((a): a is string => typeof a === 'string'), createdAt: r.createdAt ?? '' };
  } catch {
    return undefined;
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function writeClusterRecord(dataDir: string, record: ClusterRecord): void {
  mkdirSync(dataDir, { recursive: true });
  writeJson(join(dataDir, 'cluster.json'), record);
}

export interface RegistryEntry {
  name: string;
  dataDir: string;
}

const registryPath = (home: string) => join(home, 'clusters.json');

export function readRegistry(home = k8tsHome()): RegistryEntry[] {
  try {
    const list = JSON.parse(readFileSync(registryPath(home), 'utf8')) as RegistryEntry[];
    return Array.isArray(list) ? list.filter((e) => typeof e?.name === 'string' && typeof e?.dataDir === 'string') : [];
  } catch {
    return [];
  }
}

/** Adds or renames the entry of `dataDir`; entries whose data dir is gone are dropped. */
export function register(entry: RegistryEntry, home = k8tsHome()): void {
  mkdirSync(home, { recursive: true });
  const rest = readRegistry(home).filter((e) => e.dataDir !== entry.dataDir && existsSync(e.dataDir));
  writeJson(registryPath(home), [...rest, entry].sort((a, b) => a.name.localeCompare(b.name) || a.dataDir.localeCompare(b.dataDir)));
}

export function unregister(dataDir: string, home = k8tsHome()): void {
  const list = readRegistry(home);
  if (list.some((e) => e.dataDir === dataDir)) writeJson(registryPath(home), list.filter((e) => e.dataDir !== dataDir));
}

/**
 * The data dir a command means: `--data-dir` when given; else, for `--name`, the registered
 * cluster of that name or the place a new one of that name goes; else `./.k8ts`.
 */
export function clusterDataDir(o: { name?: string; dataDir?: string }, home = k8tsHome()): string {
  if (o.dataDir) return resolve(o.dataDir);
  if (!o.name) return resolve(DEFAULT_DATA_DIR);
  const name = checkClusterName(o.name);
  const known = readRegistry(home).filter((e) => e.name === name);
  if (known.length > 1) throw new Error(`several clusters are named "${name}" (${known.map((e) => e.dataDir).join(', ')}): pass --data-dir`);
  return known[0]?.dataDir ?? join(home, 'clusters', name);
}
