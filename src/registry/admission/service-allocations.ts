// Cluster IPs and node ports for Services (pkg/registry/core/service: ipallocator, portallocator
// and the REST layer's allocation on create and update).
//
// What is taken is what the store holds: a watch on the Services keeps the tables, so nothing is
// handed out twice across restarts or kill -9, and a deleted Service's values come free when its
// deletion commits (not when it was asked for, so a Service held by a finalizer keeps its IP). A
// value handed to a write still in flight is reserved until the store shows it, or for a minute
// if the write never lands (a failed or dry-run create), which plays the part of upstream's
// repair loop.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { applyClusterIPAssignment, isHeadless, needsClusterIPAllocation } from '../../api/core/service.ts';
import { isStorageError, StorageError, type Backend } from '../../store/backend.ts';
import type { Clock } from '../../util/clock.ts';
import type { Admission } from '../resource-store.ts';
import { isIPv4Address } from '../../api/validation/ip.ts';
import {
  NODE_PORT_RANGE,
  type ServiceCidr,
  inServiceRange,
  intToIp,
  ipLowerBand,
  ipToInt,
  pickFree,
  portLowerBand,
} from './service-ranges.ts';

const PREFIX = '/registry/core/services/';
/** Outside /registry/: claims are not API objects. */
const CLAIMS = '/k8ts/service-claims/';
const RESERVE_MS = 60_000;

interface Spec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  selector?: Record<string, string>;
  ports?: { nodePort?: number; port?: number; protocol?: string }[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
}

const specOf = (svc: KubeObject): Spec => (svc.spec ?? {}) as Spec;

/** The cluster IPs a stored Service holds. */
export function clusterIPsOf(svc: KubeObject): string[] {
  const spec = specOf(svc);
  const ips = new Set([...(spec.clusterIPs ?? []), ...(spec.clusterIP ? [spec.clusterIP] : [])]);
  return [...ips].filter(isIPv4Address);
}

/** The node ports a stored Service holds, health check port included. */
export function nodePortsOf(svc: KubeObject): number[] {
  const spec = specOf(svc);
  const ports = (spec.ports ?? []).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n > 0);
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) ports.push(spec.healthCheckNodePort);
  return ports;
}

const needsNodePorts = (spec: Spec) => spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

function invalid(name: string, field: string, value: string, detail: string): ApiError {
  const message = `Invalid value: ${value}: ${detail}`;
  return new ApiError('Invalid', 422, `Service "${name}" is invalid: ${field}: ${message}`, {
    name,
    kind: 'Service',
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

/** One table of values (IPs or ports) and who holds them. */
class Holdings {
  private readonly held = new Map<number, string>();
  private readonly reserved = new Map<number, { key: string; until: number }>();

  constructor(private readonly clock: Clock) {}

  /** Taken by anyone but `key` (a Service may keep what it holds). */
  takenByOther(n: number, key: string): boolean {
    const owner = this.held.get(n);
    if (owner !== undefined && owner !== key) return true;
    const r = this.reserved.get(n);
    if (!r) return false;
    if (r.until < this.clock.now()) {
      this.reserved.delete(n);
      return false;
    }
    return r.key !== key;
  }

  /** Held by a stored Service other than `key`. */
  heldByOther(n: number, key: string): boolean {
    const owner = this.held.get(n);
    return owner !== undefined && owner !== key;
  }

  taken(n: number): boolean {
    return this.takenByOther(n, '\0');
  }

  reserve(n: number, key: string, until = this.clock.now() + RESERVE_MS): void {
    this.reserved.set(n, { key, until });
  }

  hold(n: number, key: string): void {
    this.held.set(n, key);
    this.reserved.delete(n);
  }

  release(n: number, key: string): void {
    if (this.held.get(n) === key) this.held.delete(n);
  }

  clearHeld(): void {
    this.held.clear();
  }
}

export interface ServiceAllocationsOptions {
  cidr: ServiceCidr;
  clock: Clock;
  /**
   * Other API servers allocate from the same store (etcd): each new value is also claimed in the
   * store before the write, so two servers never hand out one value at the same instant.
   */
  shared?: boolean;
  nodePorts?: { first: number; last: number };
  random?: () => number;
}

export class ServiceAllocations implements Admission {
  private readonly ips: Holdings;
  private readonly ports: Holdings;
  /** What each stored Service holds, to release what an update or delete drops. */
  private readonly byKey = new Map<string, { ips: number[]; ports: number[] }>();
  private readonly stop = new AbortController();
  private loaded: Promise<void> | undefined;
  private readonly nodePorts: { first: number; last: number };
  private readonly random: () => number;

  constructor(
    private readonly backend: Backend,
    private readonly opts: ServiceAllocationsOptions,
  ) {
    this.ips = new Holdings(opts.clock);
    this.ports = new Holdings(opts.clock);
    this.nodePorts = opts.nodePorts ?? NODE_PORT_RANGE;
    this.random = opts.random ?? Math.random;
  }

  /** Loads what the stored Services hold and follows their changes. */
  start(): Promise<void> {
    this.loaded ??= new Promise<void>((resolve) => void this.follow(resolve));
    return this.loaded;
  }

  close(): void {
    this.stop.abort();
  }

  private async follow(loaded: () => void): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        const list = await this.backend.list(PREFIX);
        this.byKey.clear();
        this.ips.clearHeld();
        this.ports.clearHeld();
        for (const kv of list.items) this.record(kv.key, JSON.parse(kv.value) as KubeObject);
        loaded();
        for await (const batch of this.backend.watch(PREFIX, { afterRevision: list.revision, signal })) {
          for (const ev of batch) this.record(ev.kv.key, ev.type === 'delete' ? undefined : (JSON.parse(ev.kv.value) as KubeObject));
        }
      } catch {
        // Dropped (compaction, a closed store): list again unless stopping.
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private record(storeKey: string, svc: KubeObject | undefined): void {
    const key = storeKey.slice(PREFIX.length);
    const before = this.byKey.get(key);
    for (const n of before?.ips ?? []) this.ips.release(n, key);
    for (const n of before?.ports ?? []) this.ports.release(n, key);
    if (!svc) {
      this.byKey.delete(key);
      return;
    }
    const now = { ips: clusterIPsOf(svc).filter((ip) => inServiceRange(this.opts.cidr, ip)).map(ipToInt), ports: nodePortsOf(svc) };
    for (const n of now.ips) this.ips.hold(n, key);
    for (const n of now.ports) this.ports.hold(n, key);
    this.byKey.set(key, now);
  }

  async admit(op: 'create' | 'update' | 'delete', info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined): Promise<void> {
    if (info.group !== '' || info.kind !== 'Service' || op === 'delete') return;
    await this.start();
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const name = obj.metadata.name ?? '';
    this.checkFamilies(obj, name);
    const before = op === 'update' ? old : undefined;
    if (!this.opts.shared) {
      this.allocateClusterIP(obj, before, key, name);
      this.allocateNodePorts(obj, before, key, name);
      return;
    }
    // Allocate on a copy, claim what is new in the store, and start again without any value
    // another server claimed first (a value asked for by name then fails as already allocated).
    for (let attempt = 1; ; attempt++) {
      const trial = structuredClone(obj);
      this.allocateClusterIP(trial, before, key, name);
      this.allocateNodePorts(trial, before, key, name);
      const lost = await this.claimInStore(trial, before, key);
      if (lost === 0 || attempt >= 8) {
        if (lost) throw new ApiError('InternalError', 500, 'Internal error occurred: failed to allocate Service addresses: other servers kept claiming the same ones, retry');
        obj.spec = trial.spec;
        return;
      }
    }
  }

  /**
   * Claims each cluster IP and node port `svc` takes that `old` did not hold, as a key under
   * /k8ts/service-claims/ naming the Service and when the claim lapses (upstream's IPAddress
   * objects play this part). Returns how many were claimed by another Service first; those are
   * marked taken here until their claim lapses.
   */
  private async claimInStore(svc: KubeObject, old: KubeObject | undefined, key: string): Promise<number> {
    const wanted = [
      ...clusterIPsOf(svc).filter((ip) => inServiceRange(this.opts.cidr, ip) && !(old ? clusterIPsOf(old) : []).includes(ip)).map((ip) => ({ table: this.ips, kind: 'ip', n: ipToInt(ip) })),
      ...nodePortsOf(svc).filter((p) => !(old ? nodePortsOf(old) : []).includes(p)).map((p) => ({ table: this.ports, kind: 'port', n: p })),
    ];
    let lost = 0;
    for (const w of wanted) {
      const at = `${CLAIMS}${w.kind}/${w.n}`;
      const now = this.opts.clock.now();
      const value = JSON.stringify({ service: key, until: now + RESERVE_MS });
      const existing = await this.backend.get(at);
      const holder = existing ? (JSON.parse(existing.value) as { service: string; until: number }) : undefined;
      // A lapsed claim is free unless a stored Service holds the value (then our table knows).
      const free = !holder || holder.service === key || (holder.until < now && !w.table.heldByOther(w.n, key));
      try {
        if (!existing) await this.backend.create(at, value);
        else if (free) await this.backend.update(at, value, existing.modRevision);
        else throw new StorageError('Conflict', 'claimed');
      } catch (e) {
        if (!isStorageError(e, 'KeyExists') && !isStorageError(e, 'Conflict')) throw e;
        lost++;
        w.table.reserve(w.n, '\0claimed elsewhere', holder && holder.service !== key ? holder.until : now + RESERVE_MS);
      }
    }
    return lost;
  }

  /** This cluster is single-stack IPv4, as kind's default. */
  private checkFamilies(obj: KubeObject, name: string): void {
    const spec = specOf(obj);
    if (spec.type === 'ExternalName') return;
    (spec.ipFamilies ?? []).forEach((f, i) => {
      if (f === 'IPv6') throw invalid(name, `spec.ipFamilies[${i}]`, '"IPv6"', 'not configured on this cluster');
    });
    const selectorless = isHeadless(obj) && Object.keys(spec.selector ?? {}).length === 0;
    if (spec.ipFamilyPolicy === 'RequireDualStack' && !selectorless) {
      throw invalid(name, 'spec.ipFamilyPolicy', '"RequireDualStack"', 'this cluster is not configured for dual-stack services');
    }
  }

  private allocateClusterIP(obj: KubeObject, old: KubeObject | undefined, key: string, name: string): void {
    const spec = specOf(obj);
    const held = old ? clusterIPsOf(old) : [];
    if (needsClusterIPAllocation(obj)) {
      const { cidr } = this.opts;
      const n = pickFree(cidr.base + 1, cidr.base + cidr.size - 2, ipLowerBand(cidr), (v) => this.ips.taken(v), this.random());
      if (n === undefined) throw new ApiError('InternalError', 500, 'Internal error occurred: failed to allocate a serviceIP: range is full');
      this.ips.reserve(n, key);
      applyClusterIPAssignment(obj, { ip: intToIp(n) });
      return;
    }
    const ip = spec.clusterIP;
    if (ip && ip !== 'None' && !held.includes(ip)) {
      const value = `[]string{"${ip}"}`;
      if (!inServiceRange(this.opts.cidr, ip)) {
        throw invalid(name, 'spec.clusterIPs', value, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.opts.cidr.cidr}`);
      }
      if (this.ips.takenByOther(ipToInt(ip), key)) throw invalid(name, 'spec.clusterIPs', value, `failed to allocate IP ${ip}: provided IP is already allocated`);
      this.ips.reserve(ipToInt(ip), key);
    }
    applyClusterIPAssignment(obj);
  }

  private allocateNodePorts(obj: KubeObject, old: KubeObject | undefined, key: string, name: string): void {
    const spec = specOf(obj);
    if (!needsNodePorts(spec) && !(spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) return;
    const held = new Set(old ? nodePortsOf(old) : []);
    const { first, last } = this.nodePorts;
    const mine = new Set<number>();
    const claim = (n: number, field: string) => {
      if (held.has(n) || mine.has(n)) return;
      if (n < first || n > last) throw invalid(name, field, String(n), `provided port is not in the valid range. The range of valid ports is ${first}-${last}`);
      if (this.ports.takenByOther(n, key)) throw invalid(name, field, String(n), 'provided port is already allocated');
      this.ports.reserve(n, key);
      mine.add(n);
    };
    const fresh = () => {
      const n = pickFree(first, last, portLowerBand(first, last), (v) => this.ports.taken(v) || held.has(v) || mine.has(v), this.random());
      if (n === undefined) throw new ApiError('InternalError', 500, 'Internal error occurred: failed to allocate a nodePort: range is full');
      this.ports.reserve(n, key);
      mine.add(n);
      return n;
    };
    if (needsNodePorts(spec)) {
      // The same port number may serve TCP and UDP of one Service (a DNS Service, say).
      const byPort = new Map<number, number>();
      (spec.ports ?? []).forEach((p, i) => {
        if (p.nodePort) {
          claim(p.nodePort, `spec.ports[${i}].nodePort`);
          byPort.set(p.port ?? 0, p.nodePort);
        }
      });
      for (const p of spec.ports ?? []) {
        if (p.nodePort) continue;
        p.nodePort = byPort.get(p.port ?? 0) ?? fresh();
        byPort.set(p.port ?? 0, p.nodePort);
      }
    }
    if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
      if (spec.healthCheckNodePort) claim(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
      else spec.healthCheckNodePort = fresh();
    }
  }
}
