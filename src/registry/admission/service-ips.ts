// ClusterIP allocation for Services (pkg/registry/core/service/ipallocator): a free address from
// the service CIDR for every Service that asks for one. The set of used addresses is rebuilt from
// the stored Services at first use, so it needs no state of its own.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { applyClusterIPAssignment, needsClusterIPAllocation } from '../../api/core/service.ts';
import type { Admission } from '../resource-store.ts';

export const SERVICE_CIDR = '10.96.0.0/16';
/** The first address is the `kubernetes` Service's, as upstream reserves it. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export class ServiceIpAllocator implements Admission {
  private used: Set<number> | undefined;
  private loading: Promise<Set<number>> | undefined;
  private readonly base: number;
  private readonly size: number;

  constructor(
    private readonly listServices: () => Promise<KubeObject[]>,
    cidr = SERVICE_CIDR,
  ) {
    const [addr, bits] = cidr.split('/');
    this.base = ipToInt(addr!);
    this.size = 2 ** (32 - Number(bits));
  }

  private async usedSet(): Promise<Set<number>> {
    if (this.used) return this.used;
    this.loading ??= this.listServices().then((svcs) => {
      const used = new Set<number>();
      for (const s of svcs) for (const ip of ipsOf(s)) used.add(ipToInt(ip));
      this.used = used;
      return used;
    });
    return this.loading;
  }

  /** Picks a free address, or a requested one if it is free and in range. */
  async allocate(requested?: string, name = ''): Promise<string> {
    const used = await this.usedSet();
    if (requested) {
      const n = ipToInt(requested);
      if (used.has(n)) {
        const detail = `failed to allocate IP ${requested}: provided IP is already allocated`;
        throw new ApiError('Invalid', 422, `Service "${name}" is invalid: spec.clusterIPs: Invalid value: []string{"${requested}"}: ${detail}`, {
          name,
          kind: 'Service',
          causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: []string{"${requested}"}: ${detail}`, field: 'spec.clusterIPs' }],
        });
      }
      used.add(n);
      return requested;
    }
    // Network and broadcast addresses are never handed out.
    const first = this.base + 1;
    const count = this.size - 2;
    const start = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const n = first + ((start + i) % count);
      if (!used.has(n)) {
        used.add(n);
        return intToIp(n);
      }
    }
    throw new ApiError('InternalError', 500, `Internal error occurred: failed to allocate a serviceIP: range is full`);
  }

  private inRange(ip: string): boolean {
    const n = ipToInt(ip);
    return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n > this.base && n < this.base + this.size - 1;
  }

  async admit(op: 'create' | 'update' | 'delete', info: ResourceInfo, obj: KubeObject): Promise<void> {
    if (info.group !== '' || info.kind !== 'Service') return;
    if (op === 'delete') {
      const used = await this.usedSet();
      for (const ip of ipsOf(obj)) used.delete(ipToInt(ip));
      return;
    }
    if (op !== 'create') return;
    const spec = (obj.spec ?? {}) as { clusterIP?: string };
    let ip: string | undefined;
    if (needsClusterIPAllocation(obj)) ip = await this.allocate();
    else if (spec.clusterIP && spec.clusterIP !== 'None' && this.inRange(spec.clusterIP)) await this.allocate(spec.clusterIP, obj.metadata.name);
    applyClusterIPAssignment(obj, ip ? { ip } : {});
  }
}

function ipsOf(svc: KubeObject): string[] {
  const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
  const ips = new Set([...(spec.clusterIPs ?? []), ...(spec.clusterIP ? [spec.clusterIP] : [])]);
  return [...ips].filter((ip) => ip !== 'None' && /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}
