// The etcd connection: an etcd3 client configured for a datastore (TLS, password auth, loopback
// keepalives, no message size cap) and the mapping of its failures onto StorageError codes.
//
// etcd3's own fault handling (three retries plus a circuit breaker that stays open for 5 s) is
// replaced with none: a write retried after an ambiguous failure could apply twice, and an open
// breaker would keep answering 503 after etcd returned. Every unary call instead carries a
// deadline, so a request against an unreachable or frozen etcd fails in bounded time.
import { noop } from 'cockatiel';
import { ClientClosedError, Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError, type IOptions } from 'etcd3';
import { StorageError } from '../backend.ts';

export interface EtcdTls {
  /** PEM: the CA that signed etcd's serving certificate (system roots when absent). */
  ca?: string | Buffer;
  /** PEM client certificate and key, for etcd's --client-cert-auth. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface EtcdConnectionOptions {
  /** Client URLs: http://host:port, or https://host:port with tls. */
  endpoints: string[];
  tls?: EtcdTls;
  /** etcd's password authentication (the token exchange is done by the client). */
  auth?: { username: string; password: string };
  /** How long each request may take before it fails with Timeout. Default 5 s. */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

export function connectEtcd(opts: EtcdConnectionOptions): Etcd3 {
  if (opts.endpoints.length === 0) throw new Error('Connect to etcd failed: no endpoints given');
  const timeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const options: IOptions = {
    hosts: opts.endpoints,
    dialTimeout: timeout,
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    grpcOptions: {
      // Lists of a large collection exceed gRPC's default 4 MiB (upstream sets no limit either).
      'grpc.max_receive_message_length': -1,
      // A frozen or vanished etcd ends idle watch streams: etcd refuses pings more often than 5 s.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
      'grpc.keepalive_permit_without_calls': 1,
      // Reconnect promptly once etcd is back rather than after grpc's default backoff of up to 2 min.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
    },
  };
  if (opts.auth) options.auth = { ...opts.auth, callOptions: () => ({ deadline: Date.now() + timeout }) };
  if (opts.tls) {
    options.credentials = {
      // grpc's createSsl takes null for "the system's roots"; etcd3's type insists on a Buffer.
      rootCertificate: (opts.tls.ca === undefined ? null : Buffer.from(opts.tls.ca)) as Buffer,
      privateKey: opts.tls.key === undefined ? undefined : Buffer.from(opts.tls.key),
      certChain: opts.tls.cert === undefined ? undefined : Buffer.from(opts.tls.cert),
    };
  }
  return new Etcd3(options);
}

// Messages etcd's server sends while it cannot serve (no leader, election, overload).
const UNAVAILABLE_MESSAGES = ['etcdserver: no leader', 'etcdserver: leader changed', 'etcdserver: request timed out', 'etcdserver: too many requests'];

/** Maps an etcd3 failure to the StorageError the Backend contract promises. */
export function storageErrorOf(err: unknown, action: string, where: string): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('required revision has been compacted')) return new StorageError('Compacted', `${action} failed: the revision has been compacted`);
  if (message.includes('required revision is a future revision')) return new StorageError('Internal', `${action} failed: the revision is newer than the current revision`);
  if (err instanceof ClientClosedError) return new StorageError('Closed', `${action} failed: the store is closed`);
  if (err instanceof GRPCDeadlineExceededError) {
    return new StorageError('Timeout', `${action} failed: etcd at ${where} did not answer in time; check that it is running and reachable`);
  }
  if (err instanceof GRPCUnavailableError || UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) {
    return new StorageError('Unavailable', `${action} failed: etcd at ${where} is unavailable: ${detail(message)}; check that etcd runs there and the address is right`);
  }
  return new StorageError('Internal', `${action} failed: ${detail(message)}`);
}

/** grpc's message without its wrapping: "connect ECONNREFUSED 127.0.0.1:2379" rather than three layers of it. */
function detail(message: string): string {
  return message
    .replace(/^\w+Error: /, '')
    .replace(/\s*Resolution note:.*$/s, '')
    .replace(/^14 UNAVAILABLE: No connection established\. Last error: (Error: )?/, '')
    .replace(/\.$/, '');
}
