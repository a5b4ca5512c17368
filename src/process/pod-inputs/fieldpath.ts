// Downward API values, shared by env vars and downwardAPI volumes: pod fields
// (pkg/fieldpath ExtractFieldPathAsString, the kubelet's podFieldSelectorRuntimeValue) and
// container resources (pkg/api/v1/resource ExtractContainerResourceValue, with limits defaulted
// to node allocatable as defaultPodLimitsForDownwardAPI does).
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { Container, Pod, ResourceFieldSelector } from './types.ts';

export interface NodeFacts {
  nodeName?: string;
  /** The node's IPs, preferred family first (status.hostIP is the first). */
  hostIPs?: string[];
  /** The pod's IPs (status.podIP is the first). */
  podIPs?: string[];
  /** Node allocatable: the value of an unset limit. */
  allocatable?: Record<string, string | number>;
}

/** Go's %q for the strings labels and annotations hold. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `key="value"` lines sorted by key (fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join('\n');
}

const SUBSCRIPT = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/;

/** The value of a pod field as env vars and downwardAPI files see it. */
export function podFieldValue(pod: Pod, fieldPath: string, node: NodeFacts = {}): string {
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[sub[2]!] ?? '';
  }
  const podIPs = node.podIPs ?? [];
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? node.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return node.hostIPs?.[0] ?? '';
    case 'status.hostIPs':
      return (node.hostIPs ?? []).join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

function findContainer(pod: Pod, name: string): Container {
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`container ${name} not found`);
  return c;
}

const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * A container resource in units of the divisor, rounded up (cpu in millicores first, as
 * MilliValue does; other resources as whole units). Unset limits are node allocatable.
 */
export function resourceFieldValue(pod: Pod, container: Container, sel: ResourceFieldSelector, node: NodeFacts = {}): string {
  const c = sel.containerName ? findContainer(pod, sel.containerName) : container;
  const dot = sel.resource.indexOf('.');
  const part = sel.resource.slice(0, dot);
  const name = sel.resource.slice(dot + 1);
  const known = DEFAULTED_LIMITS.includes(name) || name.startsWith('hugepages-');
  if ((part !== 'limits' && part !== 'requests') || !known) throw new Error(`unsupported container resource : ${sel.resource}`);
  let q = c.resources?.[part]?.[name];
  if (q === undefined && part === 'limits' && DEFAULTED_LIMITS.includes(name)) q = node.allocatable?.[name];
  const value = parseQuantity(q ?? 0) ?? 0;
  const divisorRaw = parseQuantity(sel.divisor ?? 0) ?? 0;
  const divisor = divisorRaw === 0 ? 1 : divisorRaw;
  if (name === 'cpu') {
    const milli = (x: number) => Math.ceil(Math.round(x * 1e9) / 1e6);
    return String(Math.ceil(milli(value) / milli(divisor)));
  }
  const whole = (x: number) => Math.ceil(Math.round(x * 1e9) / 1e9);
  return String(Math.ceil(whole(value) / whole(divisor)));
}
