// Cell formatting helpers shared by the printers, mirroring the small upstream helpers they use:
// labels.FormatLabels, metav1.FormatLabelSelector and LabelSelector.String (apimachinery),
// helper.GetAccessModesAsString and the storage-class lookups (pkg/apis/core/helper),
// and translateTimestampSince / layoutContainerCells / printBoolPtr (pkg/printers/internalversion).
import type { KubeObject } from '../../api/meta/types.ts';
import { humanDuration } from './duration.ts';

/**
 * Untyped view of stored JSON inside a printer. Printers read optional fields deep in kind-specific
 * shapes and must tolerate anything missing, so they use optional chaining on this type; it never
 * crosses the module boundary (printTable takes KubeObject and returns Table).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface PrintContext {
  now: Date;
}

/** "5m" since `timestamp`, or "<unknown>" when unset (upstream's zero-time answer). */
export function since(timestamp: string | undefined | null, ctx: PrintContext): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(ctx.now.getTime() - t);
}

export function parseTime(timestamp: string | undefined | null): number | undefined {
  if (!timestamp) return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}

export function age(obj: KubeObject, ctx: PrintContext): string {
  return since(obj.metadata?.creationTimestamp, ctx);
}

/** `a=1,b=2` sorted by key, "<none>" for no labels. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

interface Requirement {
  key: string;
  text: string;
}

/**
 * A LabelSelector in selector syntax (`app=web,tier in (a,b),!legacy`), requirements sorted by
 * key as labels.Selector.String() does. Returns undefined for an invalid selector.
 */
export function selectorString(selector: Loose): string | undefined {
  if (!selector) return '';
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries((selector.matchLabels ?? {}) as Record<string, string>)) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of (selector.matchExpressions ?? []) as Loose[]) {
    const key = String(expr.key ?? '');
    const values = [...new Set<string>((expr.values ?? []) as string[])].sort();
    switch (expr.operator) {
      case 'In':
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // A stable sort by key keeps matchLabels ahead of expressions on the same key, as upstream.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" for an empty or missing selector, "<error>" if invalid. */
export function formatLabelSelector(selector: Loose): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** Container names and images, comma-separated, in spec order. */
export function containerCells(containers: Loose[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

export function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

const ACCESS_MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** Access modes abbreviated in upstream's fixed order, duplicates collapsed: `RWO,ROX`. */
export function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return ACCESS_MODES.filter(([mode]) => set.has(mode))
    .map(([, short]) => short)
    .join(',');
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** The class of a PV or PVC: the beta annotation wins over spec.storageClassName. */
export function storageClassOf(obj: Loose): string {
  const annotated = obj.metadata?.annotations?.[BETA_STORAGE_CLASS];
  if (annotated !== undefined) return annotated;
  return obj.spec?.storageClassName ?? '';
}

/** Quantity cells print the stored canonical string. */
export function quantity(q: unknown): string {
  if (q === undefined || q === null || q === '') return '0';
  return String(q);
}

/** net.JoinHostPort: brackets around IPv6 addresses. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Join with upstream's "+ N more..." suffix after `max` entries; `emptyText` for none. */
export function listWithMore(list: string[], total: number, max: number, emptyText: string): string {
  const text = list.slice(0, max).join(',');
  if (total > max) return `${text} + ${total - max} more...`;
  return text === '' ? emptyText : text;
}

/** A condition's status is "True" for the first condition of `type`. */
export function conditionTrue(conditions: Loose[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x?.type === type);
  return c?.status === 'True';
}
