// The admin kubeconfig `k8ts up` writes for kubectl, helm and client libraries: one cluster
// (server URL plus the CA that signed its serving cert), one user (the admin bearer token) and one
// context tying them together, made current.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** e.g. `https://127.0.0.1:6443`. */
  server: string;
  caCertPem: string;
  token: string;
  /** Name used for the cluster, the user and the context; defaults to `k8ts`. */
  contextName?: string;
  /** Namespace of the context; omitted (kubectl's `default`) when unset. */
  namespace?: string;
}

/** Renders a kubeconfig (YAML, apiVersion v1) whose current context reaches `server` as admin. */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const name = opts.contextName ?? 'k8ts';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name,
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caCertPem, 'utf8').toString('base64'),
        },
      },
    ],
    users: [{ name, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: name, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
    'current-context': name,
  };
  return stringify(config);
}

/**
 * Writes `renderKubeconfig(opts)` to `<dataDir>/kubeconfig` (mode 0600: it holds the admin token),
 * replacing any previous file atomically. Resolves to the path written.
 */
export async function writeKubeconfig(opts: KubeconfigOptions & { dataDir: string }): Promise<string> {
  const path = join(opts.dataDir, 'kubeconfig');
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, renderKubeconfig(opts), { mode: 0o600 });
  await rename(tmp, path);
  return path;
}
