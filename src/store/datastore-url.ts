// The one string that names a datastore on the command line (`k8ts up --datastore`,
// `k8ts migrate --from/--to`):
//
//   sqlite                        <data-dir>/state.db (the default)
//   sqlite:<path>                 a SQLite file anywhere
//   memory                        nothing kept after exit
//   etcd://host:port[,host:port]  etcd over plain gRPC (port defaults to 2379)
//   etcds://host:port[,…]         etcd over TLS
//
// etcd URLs may carry `user:password@` (etcd's password auth, percent-encoded as in any URL), a
// path that becomes a key prefix (`etcd://h:2379/cluster-a` stores `/cluster-a/registry/...`, so
// clusters can share an etcd), and, for etcds:// only, the TLS files as query parameters:
// `?ca=<file>` (the CA of etcd's serving certificate; system roots when absent) and
// `&cert=<file>&key=<file>` (a client certificate for etcd's --client-cert-auth). One string
// keeps both ends of a migration unambiguous, which separate --etcd-* flags could not.
import { resolve } from 'node:path';

export interface EtcdDatastore {
  kind: 'etcd';
  /** Client URLs, http:// or https://. */
  endpoints: string[];
  /** Key prefix (no trailing slash); absent: keys are stored as `/registry/...`. */
  prefix?: string;
  /** TLS files by path (absolute), present for etcds://. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  auth?: { username: string; password: string };
}

export type DatastoreSpec = { kind: 'memory' } | { kind: 'sqlite'; path: string } | EtcdDatastore;

export const ETCD_DEFAULT_PORT = 2379;

/** Parses a datastore string; `sqlite` alone needs dataDir. Throws an Error saying what is wrong. */
export function parseDatastore(value: string, opts: { dataDir?: string } = {}): DatastoreSpec {
  if (value === 'memory') return { kind: 'memory' };
  if (value === 'sqlite') {
    if (!opts.dataDir) throw new Error('Datastore "sqlite" needs a data dir; name a file with sqlite:<path>');
    return { kind: 'sqlite', path: resolve(opts.dataDir, 'state.db') };
  }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (!path) throw new Error('Datastore "sqlite:" needs a file path, e.g. sqlite:/var/lib/k8ts/state.db');
    return { kind: 'sqlite', path: resolve(path) };
  }
  const m = /^(etcds?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/.exec(value);
  if (!m) throw new Error(`Datastore "${value}" is not one of sqlite, sqlite:<path>, memory, etcd://host:port or etcds://host:port`);
  return parseEtcd(m[1] === 'etcds', m[2]!, m[3]!, m[4] ?? '', value);
}

function parseEtcd(secure: boolean, authority: string, path: string, query: string, value: string): EtcdDatastore {
  const fail = (why: string) => new Error(`Datastore "${redact(value)}": ${why}`);
  const at = authority.lastIndexOf('@');
  const spec: EtcdDatastore = { kind: 'etcd', endpoints: [] };
  if (at >= 0) {
    const [user, ...rest] = authority.slice(0, at).split(':');
    if (!user || rest.length === 0) throw fail('credentials must be user:password@');
    spec.auth = { username: decodeURIComponent(user), password: decodeURIComponent(rest.join(':')) };
  }
  const hosts = authority.slice(at + 1);
  if (!hosts) throw fail('no etcd host given');
  for (const host of hosts.split(',')) spec.endpoints.push(`${secure ? 'https' : 'http'}://${hostPort(host, fail)}`);
  const prefix = decodeURIComponent(path).replace(/\/+$/, '');
  if (prefix) spec.prefix = prefix;
  const params = new URLSearchParams(query);
  const tls: NonNullable<EtcdDatastore['tls']> = {};
  for (const [name, file] of params) {
    const field = ({ ca: 'caFile', cert: 'certFile', key: 'keyFile' } as const)[name];
    if (!field) throw fail(`unknown parameter "${name}" (known: ca, cert, key)`);
    if (!secure) throw fail(`"${name}" is a TLS file; use etcds:// for TLS`);
    if (!file) throw fail(`"${name}" needs a file path`);
    tls[field] = resolve(file);
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) throw fail('cert and key go together');
  if (secure) spec.tls = tls;
  return spec;
}

function hostPort(host: string, fail: (why: string) => Error): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host);
  if (!m) throw fail(`"${host}" is not host or host:port`);
  const port = m[2] === undefined ? ETCD_DEFAULT_PORT : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw fail(`"${host}" has no valid port`);
  return `${m[1]}:${port}`;
}

/** The datastore as it may be printed: never the password. */
export function describeDatastore(spec: DatastoreSpec): string {
  if (spec.kind === 'memory') return 'memory';
  if (spec.kind === 'sqlite') return `sqlite:${spec.path}`;
  const user = spec.auth ? `${spec.auth.username}@` : '';
  return `etcd ${user}${spec.endpoints.join(',')}${spec.prefix ? ` under ${spec.prefix}` : ''}`;
}

function redact(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
