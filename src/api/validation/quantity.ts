// resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource/quantity.go), enough to
// validate and compare quantities: `<signedNumber><suffix>` with binary (Ki…Ei), decimal
// (n u m k M G T P E) or exponent (e3, E-2) suffixes.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The quantity's value as a float, or undefined when it does not parse. */
export function parseQuantity(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([a-zA-Z]*)([-+]?[0-9]*)$/.exec(input.trim() === input ? input : '');
  if (!m) return undefined;
  const num = Number(m[1]);
  const suffix = m[2]!;
  const exp = m[3]!;
  if (exp) {
    if (suffix !== 'e' && suffix !== 'E') return undefined;
    return num * 10 ** Number(exp);
  }
  if (suffix in BINARY) return num * BINARY[suffix]!;
  if (suffix in DECIMAL) return num * DECIMAL[suffix]!;
  return undefined;
}

export function isValidQuantity(input: unknown): boolean {
  return parseQuantity(input) !== undefined;
}

/** -1, 0, 1 like Quantity.Cmp; unparsable values compare as 0. */
export function compareQuantities(a: unknown, b: unknown): number {
  const x = parseQuantity(a) ?? 0;
  const y = parseQuantity(b) ?? 0;
  return x < y ? -1 : x > y ? 1 : 0;
}
