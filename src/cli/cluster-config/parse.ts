// The cluster config file (`k8ts up --config`, `k8ts config apply`): versioned YAML
// (`apiVersion: k8ts.io/v1alpha1`, `kind: Cluster`, in the spirit of kind's Cluster config),
// validated whole before anything happens. Every mistake is reported with its line and column,
// all of them at once; an unknown field is a mistake, as kubectl's strict validation makes it.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { isValidQuantity } from '../../api/validation/quantity.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../api/validation/names.ts';
import { parseServiceCidr } from '../../registry/admission/service-ranges.ts';
import { parseDatastore } from '../../store/datastore-url.ts';
import { checkClusterName } from '../clusters/registry.ts';

export const CONFIG_API_VERSION = 'k8ts.io/v1alpha1';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeConfig {
  /** Given, or kind's names in order: k8ts-control-plane, k8ts-worker, k8ts-worker2, … */
  name: string;
  role: 'control-plane' | 'worker';
  labels: Record<string, string>;
  taints: NodeTaint[];
  capacity: { cpu?: string; memory?: string; pods?: string; 'ephemeral-storage'?: string };
}

export interface ClusterConfig {
  name?: string;
  networking: { apiServerAddress?: string; apiServerPort?: number; dnsPort?: number; dnsDomain?: string; serviceSubnet?: string };
  datastore?: string;
  runtime?: 'simulated' | 'process';
  timeScale?: number;
  features: { scheduleOnControlPlane?: boolean };
  /** Absent: the default nodes (a control plane and --workers workers). */
  nodes?: NodeConfig[];
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid cluster config, nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TOP = ['apiVersion', 'kind', 'name', 'networking', 'datastore', 'runtime', 'timeScale', 'features', 'nodes'];
const NETWORKING = ['apiServerAddress', 'apiServerPort', 'dnsPort', 'dnsDomain', 'serviceSubnet'];
const FEATURES = ['scheduleOnControlPlane'];
const NODE = ['name', 'role', 'labels', 'taints', 'capacity'];
const CAPACITY = ['cpu', 'memory', 'pods', 'ephemeral-storage'];

/** Parses and validates a config file's text; throws ConfigError listing every problem with its line. */
export function parseClusterConfig(text: string, file = 'cluster config'): ClusterConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: string[] = [];
  const at = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return 'line ?';
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const bad = (node: Node | null | undefined, path: string, why: string) => problems.push(`${at(node)}: ${path}: ${why}`);
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    problems.push(`line ${line}, column ${col}: ${e.message.split('\n')[0]}`);
  }
  if (problems.length) throw new ConfigError(file, problems);
  const root = doc.contents;
  if (!isMap(root)) throw new ConfigError(file, [`${at(root)}: the file must be a mapping with apiVersion: ${CONFIG_API_VERSION} and kind: Cluster`]);

  const fields = (map: YAMLMap, allowed: string[], path: string): Map<string, Node | null> => {
    const out = new Map<string, Node | null>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const where = path ? `${path}.${key}` : key;
      if (!allowed.includes(key)) bad(pair.key as Node, where, `unknown field (known here: ${allowed.join(', ')})`);
      else if (out.has(key)) bad(pair.key as Node, where, 'given twice');
      else out.set(key, (pair.value ?? null) as Node | null);
    }
    return out;
  };
  const str = (node: Node | null | undefined, path: string): string | undefined => {
    if (node === undefined) return undefined;
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    bad(node, path, 'must be a string');
    return undefined;
  };
  const int = (node: Node | null | undefined, path: string, lo: number, hi: number): number | undefined => {
    if (node === undefined) return undefined;
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= lo && node.value <= hi) return node.value;
    bad(node, path, `must be a whole number from ${lo} to ${hi}`);
    return undefined;
  };
  const bool = (node: Node | null | undefined, path: string): boolean | undefined => {
    if (node === undefined) return undefined;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    bad(node, path, 'must be true or false');
    return undefined;
  };

  const top = fields(root, TOP, '');
  const apiVersion = str(top.get('apiVersion'), 'apiVersion');
  if (apiVersion !== CONFIG_API_VERSION) bad(top.get('apiVersion') ?? root, 'apiVersion', `must be ${CONFIG_API_VERSION}${apiVersion ? `, not ${apiVersion}` : ''}`);
  const kind = str(top.get('kind'), 'kind');
  if (kind !== 'Cluster') bad(top.get('kind') ?? root, 'kind', `must be Cluster${kind ? `, not ${kind}` : ''}`);

  const config: ClusterConfig = { networking: {}, features: {} };
  const name = str(top.get('name'), 'name');
  if (name !== undefined) {
    try {
      config.name = checkClusterName(name);
    } catch (e) {
      bad(top.get('name'), 'name', (e as Error).message);
    }
  }

  const net = top.get('networking');
  if (net !== undefined) {
    if (!isMap(net)) bad(net, 'networking', 'must be a mapping');
    else {
      const f = fields(net, NETWORKING, 'networking');
      config.networking.apiServerAddress = str(f.get('apiServerAddress'), 'networking.apiServerAddress');
      config.networking.apiServerPort = int(f.get('apiServerPort'), 'networking.apiServerPort', 0, 65535);
      config.networking.dnsPort = int(f.get('dnsPort'), 'networking.dnsPort', 0, 65535);
      const domain = str(f.get('dnsDomain'), 'networking.dnsDomain');
      if (domain !== undefined) {
        if (isDNS1123Subdomain(domain.replace(/\.$/, '')).length) bad(f.get('dnsDomain'), 'networking.dnsDomain', 'must be a DNS domain such as cluster.local');
        else config.networking.dnsDomain = domain.replace(/\.$/, '');
      }
      const subnet = str(f.get('serviceSubnet'), 'networking.serviceSubnet');
      if (subnet !== undefined) {
        try {
          config.networking.serviceSubnet = parseServiceCidr(subnet).cidr;
        } catch (e) {
          bad(f.get('serviceSubnet'), 'networking.serviceSubnet', (e as Error).message);
        }
      }
      for (const k of Object.keys(config.networking) as (keyof ClusterConfig['networking'])[]) if (config.networking[k] === undefined) delete config.networking[k];
    }
  }

  const datastore = str(top.get('datastore'), 'datastore');
  if (datastore !== undefined) {
    try {
      parseDatastore(datastore, { dataDir: '.' });
      config.datastore = datastore;
    } catch (e) {
      bad(top.get('datastore'), 'datastore', (e as Error).message);
    }
  }
  const runtime = str(top.get('runtime'), 'runtime');
  if (runtime !== undefined) {
    if (runtime === 'simulated' || runtime === 'process') config.runtime = runtime;
    else bad(top.get('runtime'), 'runtime', `must be simulated or process, not ${runtime}`);
  }
  const ts = top.get('timeScale');
  if (ts !== undefined) {
    if (isScalar(ts) && typeof ts.value === 'number' && ts.value > 0 && ts.value <= 1000) config.timeScale = ts.value;
    else bad(ts, 'timeScale', 'must be a number above 0 and at most 1000');
  }
  const feat = top.get('features');
  if (feat !== undefined) {
    if (!isMap(feat)) bad(feat, 'features', 'must be a mapping');
    else {
      const f = fields(feat, FEATURES, 'features');
      const v = bool(f.get('scheduleOnControlPlane'), 'features.scheduleOnControlPlane');
      if (v !== undefined) config.features.scheduleOnControlPlane = v;
    }
  }

  const nodesNode = top.get('nodes');
  if (nodesNode !== undefined) {
    if (!isSeq(nodesNode)) bad(nodesNode, 'nodes', 'must be a list');
    else {
      const nodes: NodeConfig[] = [];
      const named = new Map<string, string>();
      let planes = 0;
      let workers = 0;
      nodesNode.items.forEach((item, i) => {
        const path = `nodes[${i}]`;
        const n = item as Node;
        if (!isMap(n)) return void bad(n, path, 'must be a mapping');
        const f = fields(n, NODE, path);
        const role = str(f.get('role'), `${path}.role`) ?? 'worker';
        if (role !== 'control-plane' && role !== 'worker') bad(f.get('role'), `${path}.role`, `must be control-plane or worker, not ${role}`);
        const given = str(f.get('name'), `${path}.name`);
        // kind's names for nodes without one.
        const name = given ?? (role === 'control-plane' ? `k8ts-control-plane${++planes > 1 ? planes : ''}` : `k8ts-worker${++workers > 1 ? workers : ''}`);
        if (given !== undefined && isDNS1123Subdomain(given).length) bad(f.get('name'), `${path}.name`, `invalid node name: ${isDNS1123Subdomain(given).join('; ')}`);
        if (named.has(name)) bad(f.get('name') ?? n, `${path}.name`, `duplicate node name ${name} (also ${named.get(name)})`);
        named.set(name, path);
        const labels: Record<string, string> = {};
        const ln = f.get('labels');
        if (ln !== undefined) {
          if (!isMap(ln)) bad(ln, `${path}.labels`, 'must be a mapping of label keys to values');
          else
            for (const pair of ln.items) {
              const k = isScalar(pair.key) ? String(pair.key.value) : '';
              const v = isScalar(pair.value) ? String(pair.value.value ?? '') : undefined;
              const kErr = isQualifiedName(k);
              if (kErr.length) bad(pair.key as Node, `${path}.labels`, `invalid label key "${k}": ${kErr.join('; ')}`);
              else if (v === undefined) bad(pair.value as Node, `${path}.labels.${k}`, 'must be a string');
              else if (isValidLabelValue(v).length) bad(pair.value as Node, `${path}.labels.${k}`, `invalid label value "${v}": ${isValidLabelValue(v).join('; ')}`);
              else labels[k] = v;
            }
        }
        const taints: NodeTaint[] = [];
        const tn = f.get('taints');
        if (tn !== undefined) {
          if (!isSeq(tn)) bad(tn, `${path}.taints`, 'must be a list of key[=value]:Effect strings or {key, value, effect} mappings');
          else
            tn.items.forEach((t, j) => {
              const tp = `${path}.taints[${j}]`;
              let taint: NodeTaint | undefined;
              if (isScalar(t) && typeof t.value === 'string') {
                const m = /^([^=:]+)(?:=([^:]*))?:([^:]+)$/.exec(t.value);
                if (!m) return void bad(t as Node, tp, `invalid taint "${t.value}": expected key[=value]:Effect`);
                taint = { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! };
              } else if (isMap(t)) {
                const tf = fields(t, ['key', 'value', 'effect'], tp);
                taint = { key: str(tf.get('key'), `${tp}.key`) ?? '', ...(tf.get('value') !== undefined ? { value: str(tf.get('value'), `${tp}.value`) ?? '' } : {}), effect: str(tf.get('effect'), `${tp}.effect`) ?? '' };
              } else return void bad(t as Node, tp, 'must be a key[=value]:Effect string or a {key, value, effect} mapping');
              const kErr = isQualifiedName(taint.key);
              if (kErr.length) return void bad(t as Node, tp, `invalid taint key "${taint.key}": ${kErr.join('; ')}`);
              if (taint.value !== undefined && isValidLabelValue(taint.value).length) return void bad(t as Node, tp, `invalid taint value "${taint.value}": ${isValidLabelValue(taint.value).join('; ')}`);
              if (!EFFECTS.includes(taint.effect)) return void bad(t as Node, tp, `invalid taint effect "${taint.effect}": must be one of ${EFFECTS.join(', ')}`);
              if (taints.some((x) => x.key === taint!.key && x.effect === taint!.effect)) return void bad(t as Node, tp, `taint ${taint.key}:${taint.effect} given twice`);
              taints.push(taint);
            });
        }
        const capacity: NodeConfig['capacity'] = {};
        const cn = f.get('capacity');
        if (cn !== undefined) {
          if (!isMap(cn)) bad(cn, `${path}.capacity`, 'must be a mapping');
          else {
            const cf = fields(cn, CAPACITY, `${path}.capacity`);
            for (const [k, v] of cf) {
              const q = str(v, `${path}.capacity.${k}`);
              if (q === undefined) continue;
              if (k === 'pods' ? !/^[1-9]\d*$/.test(q) : !isValidQuantity(q)) bad(v, `${path}.capacity.${k}`, k === 'pods' ? `must be a whole number of at least 1, not ${q}` : `invalid quantity "${q}": use a quantity such as ${k === 'cpu' ? '8 or 500m' : '16Gi'}`);
              else capacity[k as keyof NodeConfig['capacity']] = q;
            }
          }
        }
        nodes.push({ name, role: role === 'control-plane' ? 'control-plane' : 'worker', labels, taints, capacity });
      });
      if (nodes.length && !nodes.some((n) => n.role === 'control-plane')) bad(nodesNode, 'nodes', 'needs a node with role control-plane');
      config.nodes = nodes;
    }
  }
  if (problems.length) throw new ConfigError(file, problems);
  return config;
}
