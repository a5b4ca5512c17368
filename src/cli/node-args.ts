// Parsing and checking the arguments of `k8ts node add` before anything is written: labels as
// `k=v,…` and taints as `key[=value]:Effect,…` (kubectl taint's syntax), each checked with the
// API's own rules so a bad one is named with the reason. Also kind's naming of extra workers.
import type { KubeObject } from '../api/meta/types.ts';
import { isValidQuantity } from '../api/validation/quantity.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../api/validation/names.ts';
import { workerName } from '../node/contract.ts';

export class UsageError extends Error {}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

const items = (list: string) =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `disktype=ssd,zone=a` → labels; throws UsageError naming the first bad one. */
export function parseLabels(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items(list)) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`invalid label "${item}": expected key=value`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const keyErr = isQualifiedName(key);
    if (keyErr.length) throw new UsageError(`invalid label "${item}": key ${keyErr.join('; ')}`);
    const valueErr = isValidLabelValue(value);
    if (valueErr.length) throw new UsageError(`invalid label "${item}": value ${valueErr.join('; ')}`);
    out[key] = value;
  }
  return out;
}

export interface TaintArg {
  key: string;
  value?: string;
  effect: string;
}

/** `dedicated=db:NoSchedule,gpu:NoExecute` → taints; throws UsageError naming the first bad one. */
export function parseTaints(list: string): TaintArg[] {
  const out: TaintArg[] = [];
  for (const item of items(list)) {
    const colon = item.lastIndexOf(':');
    if (colon < 0) throw new UsageError(`invalid taint "${item}": expected key[=value]:effect`);
    const effect = item.slice(colon + 1);
    const kv = item.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const value = eq < 0 ? undefined : kv.slice(eq + 1);
    if (!EFFECTS.includes(effect)) throw new UsageError(`invalid taint "${item}": effect must be one of ${EFFECTS.join(', ')}`);
    const keyErr = isQualifiedName(key);
    if (keyErr.length) throw new UsageError(`invalid taint "${item}": key ${keyErr.join('; ')}`);
    if (value !== undefined) {
      const valueErr = isValidLabelValue(value);
      if (valueErr.length) throw new UsageError(`invalid taint "${item}": value ${valueErr.join('; ')}`);
    }
    if (out.some((t) => t.key === key && t.effect === effect)) throw new UsageError(`invalid taint "${item}": taint ${key}:${effect} given twice`);
    out.push(value === undefined ? { key, effect } : { key, value, effect });
  }
  return out;
}

export function checkNodeName(name: string): void {
  const errs = isDNS1123Subdomain(name);
  if (errs.length) throw new UsageError(`invalid node name "${name}": ${errs.join('; ')}`);
}

export function checkQuantity(flag: string, v: string): void {
  if (!isValidQuantity(v)) throw new UsageError(`invalid ${flag} "${v}": must be a quantity such as ${flag === '--cpu' ? '8 or 500m' : '16Gi'}`);
}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`invalid ${flag} "${v}": must be a whole number of at least 1`);
  return n;
}

/**
 * Names for `count` new workers, continuing kind's scheme after the highest existing worker
 * (k8ts-worker, k8ts-worker2, … → k8ts-worker3, k8ts-worker4), skipping names already taken.
 */
export function nextWorkerNames(existing: readonly KubeObject[], count: number): string[] {
  const taken = new Set(existing.map((n) => n.metadata.name!));
  let highest = 0;
  for (const name of taken) {
    const m = /^k8ts-worker(\d*)$/.exec(name);
    if (m) highest = Math.max(highest, m[1] ? Number(m[1]) : 1);
  }
  const out: string[] = [];
  for (let n = highest + 1; out.length < count; n++) {
    const name = workerName(n - 1);
    if (!taken.has(name)) out.push(name);
  }
  return out;
}
