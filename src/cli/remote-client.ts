// A Client for a running cluster from a kubeconfig, as `k8ts node …` uses from any terminal:
// the current context's server, its CA (inline or a file) and the user's bearer token, over the
// HTTPS transport.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { Client } from '../client/client.ts';
import { httpsTransport } from '../client/https-transport.ts';

export const DEFAULT_KUBECONFIG = '.k8ts/kubeconfig';

/** --kubeconfig, else the first path in $KUBECONFIG, else .k8ts/kubeconfig. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const fromEnv = (env.KUBECONFIG ?? '').split(process.platform === 'win32' ? ';' : ':').find((p) => p !== '');
  return fromEnv ?? DEFAULT_KUBECONFIG;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export interface ClusterAccess {
  server: string;
  caPem: string;
  /** The user's bearer token, or else its client certificate and key (kind's kubeconfigs). */
  token?: string;
  certPem?: string;
  keyPem?: string;
  /** The current context's namespace, if it names one. */
  namespace?: string;
}

/** Reads the current context of a kubeconfig; errors say which file and what is missing. */
export async function readClusterAccess(path: string): Promise<ClusterAccess> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`cannot read kubeconfig ${path}: start a cluster with \`k8ts up\` or pass --kubeconfig`);
  }
  const cfg = (parse(text) ?? {}) as { 'current-context'?: string; contexts?: Named<{ cluster: string; user: string; namespace?: string }>[]; clusters?: Named<Record<string, string>>[]; users?: Named<Record<string, string>>[] };
  const bad = (what: string): never => {
    throw new Error(`kubeconfig ${path}: ${what}`);
  };
  const ctxName = cfg['current-context'] ?? bad('no current-context');
  const ctx = cfg.contexts?.find((c) => c.name === ctxName)?.context ?? bad(`context "${ctxName}" not found`);
  const cluster = cfg.clusters?.find((c) => c.name === ctx.cluster)?.cluster ?? bad(`cluster "${ctx.cluster}" not found`);
  const user = cfg.users?.find((u) => u.name === ctx.user)?.user ?? bad(`user "${ctx.user}" not found`);
  const server = cluster.server ?? bad(`cluster "${ctx.cluster}" has no server`);
  let caPem: string;
  if (cluster['certificate-authority-data']) caPem = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority']) caPem = await readFile(resolve(dirname(path), cluster['certificate-authority']), 'utf8');
  else caPem = bad(`cluster "${ctx.cluster}" has no certificate authority`);
  const pem = async (data: string, file: string): Promise<string | undefined> =>
    user[data] ? Buffer.from(user[data], 'base64').toString('utf8') : user[file] ? readFile(resolve(dirname(path), user[file]), 'utf8') : undefined;
  const certPem = await pem('client-certificate-data', 'client-certificate');
  const keyPem = await pem('client-key-data', 'client-key');
  if (!user.token && !(certPem && keyPem)) bad(`user "${ctx.user}" has neither a token nor a client certificate and key`);
  return { server, caPem, ...(user.token ? { token: user.token } : {}), ...(certPem && keyPem ? { certPem, keyPem } : {}), ...(ctx.namespace ? { namespace: ctx.namespace } : {}) };
}

/** A Client for any cluster a kubeconfig's current context reaches (token or client certificate). */
export function accessClient(access: ClusterAccess, userAgent: string): { client: Client; close(): void } {
  const transport = httpsTransport({ server: access.server, caPem: access.caPem, token: access.token, certPem: access.certPem, keyPem: access.keyPem, maxSockets: 8 });
  return { client: new Client(transport, { userAgent }), close: () => transport.close() };
}

/** A Client for the kubeconfig's current context; close() ends its connections. */
export async function remoteClient(path: string): Promise<{ client: Client; close(): void }> {
  const access = await readClusterAccess(path);
  if (!access.token) throw new Error(`kubeconfig ${path}: k8ts commands need a user with a token`);
  const transport = httpsTransport({ server: access.server, caPem: access.caPem, token: access.token, maxSockets: 8 });
  return { client: new Client(transport, { userAgent: 'k8ts-node/v0.1.0' }), close: () => transport.close() };
}
