// The cluster objects containers are started with, read from informer caches as the kubelet's
// managers do: ConfigMaps and Secrets (env, volumes), Services (service links), claims and
// volumes (where a persistentVolumeClaim volume lives on this host).
import { mkdirSync } from 'node:fs';
import type { KubeObject } from '../api/meta/types.ts';
import type { PersistentVolume } from '../api/storage/volume.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { RegistryAuth } from '../images/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Pod } from './pod-inputs/types.ts';
import type { PodLookups } from './sandbox.ts';

export class InformerLookups implements PodLookups {
  private readonly informers: Record<'configMaps' | 'secrets' | 'services' | 'claims' | 'volumes', Informer>;
  private readonly serviceAccounts: ResourceClient;

  constructor(
    client: Client,
    readonly clusterDomain: string,
    o: { clock: Clock; log: (m: string) => void; services?: Informer },
  ) {
    const inf = (resource: string, namespaced = true) => new Informer(client.resource({ apiVersion: 'v1', resource, namespaced }), o);
    this.informers = {
      configMaps: inf('configmaps'),
      secrets: inf('secrets'),
      services: o.services ?? inf('services'),
      claims: inf('persistentvolumeclaims'),
      volumes: inf('persistentvolumes', false),
    };
    this.serviceAccounts = client.resource({ apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(Object.values(this.informers).map((i) => i.run(signal)));
  }

  waitForSync(): Promise<unknown> {
    return Promise.all(Object.values(this.informers).map((i) => i.waitForSync()));
  }

  configMap = (ns: string, name: string) => this.informers.configMaps.get(ns, name) as ReturnType<PodLookups['configMap']>;
  secret = (ns: string, name: string) => this.informers.secrets.get(ns, name) as ReturnType<PodLookups['secret']>;
  services = (ns: string) => this.informers.services.list(ns) as ReturnType<PodLookups['services']>;

  pullSecrets = (pod: KubeObject): RegistryAuth[] => {
    const refs = ((pod.spec as { imagePullSecrets?: { name?: string }[] } | undefined)?.imagePullSecrets ?? []).map((r) => r.name ?? '');
    const out: RegistryAuth[] = [];
    for (const name of refs) {
      const s = this.informers.secrets.get(pod.metadata.namespace ?? 'default', name) as { type?: string; data?: Record<string, string> } | undefined;
      const raw = s?.data?.['.dockerconfigjson'] ?? s?.data?.['.dockercfg'];
      if (!raw) continue;
      try {
        const doc = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { auths?: Record<string, RegistryAuth> } & Record<string, RegistryAuth>;
        const auths = doc.auths ?? doc;
        for (const [host, a] of Object.entries(auths)) out.push({ host: host.replace(/^https?:\/\//, '').replace(/\/.*$/, ''), username: a.username, password: a.password, auth: a.auth });
      } catch {
        // A malformed secret gives no credentials, as the kubelet skips it.
      }
    }
    return out;
  }

  claimPath = async (ns: string, claim: string): Promise<string> => {
    const pvc = this.informers.claims.get(ns, claim) as { spec?: { volumeName?: string }; status?: { phase?: string } } | undefined;
    if (!pvc) throw new Error(`persistentvolumeclaim "${claim}" not found`);
    const pvName = pvc.spec?.volumeName;
    if (!pvName || pvc.status?.phase !== 'Bound') throw new Error(`persistentvolumeclaim "${claim}" is not bound`);
    const pv = this.informers.volumes.get('', pvName) as PersistentVolume | undefined;
    if (!pv) throw new Error(`persistentvolume "${pvName}" not found`);
    const path = pv.spec?.local?.path ?? pv.spec?.hostPath?.path;
    if (!path) throw new Error(`persistentvolume "${pvName}" has no local or hostPath source this node can mount`);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    return path;
  }

  /**
   * A token bound to the pod, as the kubelet's token manager asks for one: a TokenRequest for the
   * pod's account with the source's audience (none: the API server's) and lifetime. Written once
   * when the pod starts; a pod token asked for with the kubelet's default lifetime stays valid for
   * a year (see token-request-spec.ts), so it outlives nearly every pod without a refresh.
   */
  serviceAccountToken = async (pod: Pod, audience: string, expirationSeconds: number): Promise<string> => {
    const { name = '', namespace = 'default', uid = '' } = pod.metadata ?? {};
    const request = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } },
    };
    const answer = (await this.serviceAccounts.post(namespace, pod.spec?.serviceAccountName || 'default', 'token', request)) as { status?: { token?: string } };
    if (!answer.status?.token) throw new Error(`no token in the TokenRequest answer for pod ${namespace}/${name}`);
    return answer.status.token;
  };
}
