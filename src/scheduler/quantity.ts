// Exact resource.Quantity arithmetic for the scheduler (k8s.io/apimachinery/pkg/api/resource):
// cpu is compared in millicores (Quantity.MilliValue), everything else in whole units
// (Quantity.Value); both round up, as upstream. src/api/validation/quantity.ts parses to a
// float, which is enough to validate but loses exactness (0.1 + 0.2); here the decimal digits
// are kept as a BigInt so `100m`, `0.1`, `1e-1` all give exactly 100 millicores.

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const FORMAT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

const memo = new Map<string, number | undefined>();
const MEMO_LIMIT = 10_000;

/**
 * The quantity scaled by 10^scaleExp and rounded up to an integer (scaleExp 3 → milli units),
 * or undefined when the input is not a quantity.
 */
export function scaledValue(input: unknown, scaleExp: 0 | 3): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? Math.ceil(input * 10 ** scaleExp - 1e-9) : undefined;
  if (typeof input !== 'string') return undefined;
  const key = scaleExp + input;
  if (memo.has(key)) return memo.get(key);
  const v = parse(input, scaleExp);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, v);
  return v;
}

function parse(input: string, scaleExp: number): number | undefined {
  const m = FORMAT.exec(input);
  if (!m) return undefined;
  const [, sign, whole = '', frac = '', suffix, exp] = m;
  if (!whole && !frac) return undefined;
  // value = digits · 10^exp10 · 2^exp2
  let digits = BigInt((whole || '0') + frac);
  let exp10 = -frac.length + scaleExp;
  let exp2 = 0;
  if (exp !== undefined) exp10 += Number(exp);
  else if (suffix && suffix in BINARY) exp2 = BINARY[suffix]!;
  else exp10 += DECIMAL[suffix ?? '']!;
  if (sign === '-') digits = -digits;
  let num = digits * 2n ** BigInt(exp2);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  // Ceiling division that also rounds negative values towards +∞.
  let q = num / den;
  if (num % den !== 0n && num > 0n) q += 1n;
  return Number(q);
}

/** Quantity.MilliValue: `100m` → 100, `0.5` → 500, `2` → 2000. */
export const milliValue = (q: unknown): number | undefined => scaledValue(q, 3);
/** Quantity.Value: `128Mi` → 134217728, `1G` → 1e9, `1e3` → 1000, `100m` → 1. */
export const value = (q: unknown): number | undefined => scaledValue(q, 0);
