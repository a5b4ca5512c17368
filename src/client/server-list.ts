// Several API servers of one cluster behind one client, as k3s agents balance over the servers
// they know: requests go to the current server; one that cannot be reached is passed over for
// the next. A request that never reached a server (the connection was refused or could not be
// opened) is sent on to the next one at once; one that failed after it was sent is not repeated,
// since it may have been applied, and its caller retries as it would after any error.

export interface ServerChoice {
  /** The server to use now, https://host:port. */
  current(): string;
  /** Reports that `server` failed; the next call to current() moves on if it was the current one. */
  failed(server: string): void;
  readonly size: number;
}

/** Errors that mean the request never left this machine for that server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

export function neverSent(e: unknown): boolean {
  return NOT_SENT.has((e as NodeJS.ErrnoException)?.code ?? '');
}

export class ServerList implements ServerChoice {
  private index = 0;
  private readonly servers: string[];

  constructor(servers: string[]) {
    if (servers.length === 0) throw new Error('at least one server is needed');
    this.servers = [...servers];
  }

  /** `https://a:6443,https://b:6443` → a list. */
  static parse(value: string): ServerList {
    return new ServerList(value.split(',').map((s) => s.trim()).filter(Boolean));
  }

  get size(): number {
    return this.servers.length;
  }

  current(): string {
    return this.servers[this.index]!;
  }

  failed(server: string): void {
    if (this.servers[this.index] === server) this.index = (this.index + 1) % this.servers.length;
  }

  all(): readonly string[] {
    return this.servers;
  }
}
