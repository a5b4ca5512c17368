// A client of the OCI distribution API (v2) for one repository: GETs with the registry's auth
// challenge answered. Anonymous first; on 401 `WWW-Authenticate: Basic` retries with the
// credentials, and `Bearer realm=…,service=…,scope=…` fetches a token from the realm (with the
// credentials as basic auth when there are any), as docker and containerd do.
import { registryHost } from './reference.ts';
import type { RegistryAuth } from './types.ts';

export interface RegistryClientOptions {
  auth?: RegistryAuth[];
  insecureHosts?: string[];
  signal?: AbortSignal;
}

/** An HTTP status from the registry, with its error body's code and message. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class RegistryClient {
  readonly base: string;
  private readonly creds?: { username: string; password: string };
  private authorization?: string;

  constructor(
    readonly domain: string,
    readonly repository: string,
    private readonly o: RegistryClientOptions = {},
  ) {
    const host = registryHost(domain);
    const insecure = isLocal(host) || (o.insecureHosts ?? []).some((h) => h === host || h === domain);
    this.base = `${insecure ? 'http' : 'https'}://${host}`;
    this.creds = credentialsFor(domain, o.auth ?? []);
  }

  /** GET /v2/<repo>/<path>; resolves with a 2xx response, rejects with a RegistryError otherwise. */
  async get(path: string, accept?: string): Promise<Response> {
    const url = `${this.base}/v2/${this.repository}/${path}`;
    const headers = (): Record<string, string> => ({ ...(accept ? { accept } : {}), ...(this.authorization ? { authorization: this.authorization } : {}) });
    let res = await this.fetch(url, headers());
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.body?.cancel();
      await this.authorize(challenge);
      res = await this.fetch(url, headers());
    }
    if (res.ok) return res;
    throw new RegistryError(await describeFailure(res), res.status);
  }

  private async authorize(challenge: string): Promise<void> {
    const scheme = challenge.split(' ', 1)[0].toLowerCase();
    const basic = this.creds && `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`;
    if (scheme === 'basic') {
      if (!basic) throw new RegistryError('unauthorized: the registry wants credentials and none were given for it', 401);
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer') throw new RegistryError(`unauthorized: unsupported auth challenge "${challenge}"`, 401);
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
    if (!params.realm) throw new RegistryError(`unauthorized: bearer challenge without a realm: "${challenge}"`, 401);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.repository}:pull`);
    const res = await this.fetch(url.toString(), basic ? { authorization: basic } : {});
    if (!res.ok) {
      throw new RegistryError(
        `failed to fetch ${basic ? 'oauth' : 'anonymous'} token: unexpected status from GET request to ${url}: ${res.status} ${res.statusText}: ${await describeFailure(res)}`,
        res.status,
      );
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token server at ${params.realm} answered without a token`, 401);
    this.authorization = `Bearer ${token}`;
  }

  private async fetch(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers, signal: this.o.signal, redirect: 'follow' });
    } catch (e) {
      if (this.o.signal?.aborted) throw e;
      const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
      const host = new URL(url).host;
      const why = cause?.code === 'ECONNREFUSED' ? `dial tcp ${host}: connect: connection refused` : (cause?.message ?? (e as Error).message);
      throw new Error(`failed to do request: GET "${url}": ${why}`);
    }
  }
}

/** `code: message` of a registry's JSON error body (`unauthorized: authentication required`), else the status. */
async function describeFailure(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errors.length) return errors.map((e) => `${(e.code ?? 'error').toLowerCase()}: ${e.message ?? ''}`).join('; ');
  } catch {
    // Not JSON.
  }
  return `${res.status} ${res.statusText}`;
}

function isLocal(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}

/** The credentials given for a domain; `.dockerconfigjson` keys may be URLs (`https://index.docker.io/v1/`). */
export function credentialsFor(domain: string, auth: RegistryAuth[]): { username: string; password: string } | undefined {
  const norm = (h: string) => {
    const host = h.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
  };
  const a = auth.find((x) => norm(x.host) === norm(domain));
  if (!a) return undefined;
  if (a.username !== undefined) return { username: a.username, password: a.password ?? '' };
  if (a.auth) {
    const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
