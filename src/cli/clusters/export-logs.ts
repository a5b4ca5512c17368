// `k8ts export logs DIR`: one folder with what is needed to understand a cluster after the fact,
// as `kind export logs` gathers: the server's log (controllers and simulated nodes log into it),
// each pod's container logs (the previous run's too, after restarts), the Nodes described, and
// every object of every listable resource as `kubectl get -A -o yaml` shows it, Secret values
// redacted. Everything goes through the API, so it works for any cluster the kubeconfig reaches.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Client } from '../../client/client.ts';
import type { KubeObject } from '../../api/meta/types.ts';

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

export interface ExportResult {
  pods: number;
  containerLogs: number;
  resources: number;
  objects: number;
  errors: string[];
}

async function getJson<T>(client: Client, url: string): Promise<T> {
  const res = await client.request('GET', url);
  const body = res.body === undefined ? '' : String(res.body);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} ${body.slice(0, 200)}`);
  return JSON.parse(body) as T;
}

async function getText(client: Client, url: string): Promise<string | undefined> {
  const res = await client.request('GET', url);
  return res.status === 200 ? String(res.body ?? '') : undefined;
}

/** Every group/version the server serves, core first (the preferred version of each group). */
async function groupVersions(client: Client): Promise<string[]> {
  const core = await getJson<{ versions: string[] }>(client, '/api');
  const groups = await getJson<{ groups: { preferredVersion: { groupVersion: string } }[] }>(client, '/apis');
  return [...core.versions, ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
}

const fileName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** Secret values are replaced: an export is shared with others, the cluster's secrets are not. */
function redact(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret') return obj;
  const copy = structuredClone(obj) as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  for (const field of ['data', 'stringData'] as const) {
    const values = copy[field];
    if (values) for (const k of Object.keys(values)) values[k] = '<redacted>';
  }
  const annotations = copy.metadata.annotations;
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration']) annotations['kubectl.kubernetes.io/last-applied-configuration'] = '<redacted>';
  return copy;
}

export async function exportLogs(client: Client, dir: string, o: { serverLog?: string; out?: (l: string) => void } = {}): Promise<ExportResult> {
  const result: ExportResult = { pods: 0, containerLogs: 0, resources: 0, objects: 0, errors: [] };
  mkdirSync(dir, { recursive: true });
  if (o.serverLog && existsSync(o.serverLog)) copyFileSync(o.serverLog, join(dir, 'server.log'));
  writeFileSync(join(dir, 'version.json'), `${JSON.stringify(await getJson(client, '/version'), null, 2)}\n`);

  // Objects of every resource that can be listed, one file per resource.
  const objectsDir = join(dir, 'objects');
  mkdirSync(objectsDir, { recursive: true });
  for (const gv of await groupVersions(client)) {
    const base = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    let list: ApiResourceList;
    try {
      list = await getJson<ApiResourceList>(client, base);
    } catch (e) {
      result.errors.push((e as Error).message);
      continue;
    }
    for (const r of list.resources) {
      if (r.name.includes('/') || !r.verbs.includes('list')) continue;
      try {
        const items = (await getJson<{ items: KubeObject[] }>(client, `${base}/${r.name}`)).items;
        const group = gv.includes('/') ? gv.split('/')[0]! : '';
        const docs = items.map((i) => redact({ ...i, apiVersion: gv, kind: r.kind }));
        writeFileSync(join(objectsDir, `${fileName(group ? `${r.name}.${group}` : r.name)}.yaml`), stringify({ apiVersion: 'v1', kind: 'List', items: docs, metadata: { resourceVersion: '' } }));
        result.resources++;
        result.objects += items.length;
      } catch (e) {
        result.errors.push((e as Error).message);
      }
    }
  }

  // Each pod's containers' logs, and the previous run's where a container restarted.
  const pods = (await getJson<{ items: KubeObject[] }>(client, '/api/v1/pods')).items;
  for (const pod of pods) {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const podDir = join(dir, 'pods', ns, name);
    mkdirSync(podDir, { recursive: true });
    result.pods++;
    const spec = (pod.spec ?? {}) as { initContainers?: { name: string }[]; containers?: { name: string }[] };
    const statuses = ((pod.status ?? {}) as { containerStatuses?: { name: string; restartCount?: number }[]; initContainerStatuses?: { name: string; restartCount?: number }[] });
    const restarts = new Map([...(statuses.containerStatuses ?? []), ...(statuses.initContainerStatuses ?? [])].map((c) => [c.name, c.restartCount ?? 0]));
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const url = `/api/v1/namespaces/${ns}/pods/${name}/log?container=${encodeURIComponent(c.name)}`;
      const text = await getText(client, url).catch(() => undefined);
      if (text !== undefined) {
        writeFileSync(join(podDir, `${fileName(c.name)}.log`), text);
        result.containerLogs++;
      }
      if ((restarts.get(c.name) ?? 0) > 0) {
        const previous = await getText(client, `${url}&previous=true`).catch(() => undefined);
        if (previous !== undefined) writeFileSync(join(podDir, `${fileName(c.name)}.previous.log`), previous);
      }
    }
  }
  if (result.errors.length) writeFileSync(join(dir, 'errors.txt'), `${result.errors.join('\n')}\n`);
  o.out?.(`exported to ${dir}: ${o.serverLog && existsSync(o.serverLog) ? 'the server log, ' : ''}${result.containerLogs} container logs of ${result.pods} pods, ${result.objects} objects of ${result.resources} resources${result.errors.length ? ` (${result.errors.length} errors: see errors.txt)` : ''}`);
  return result;
}
