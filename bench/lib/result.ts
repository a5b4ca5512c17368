// One reported figure: its value, unit, target and whether the target is met. A figure with no
// target is informational (target and pass are null).

export interface Target {
  op: '<' | '>=';
  value: number;
}

export interface BenchResult {
  value: number | null;
  unit: string;
  /** Human-readable, e.g. "< 500 ms"; null for an informational figure. */
  target: string | null;
  pass: boolean | null;
  skipped?: string;
  error?: string;
  /** Supporting figures (sample counts, spread, sizes). */
  detail?: Record<string, unknown>;
}

export type Results = Record<string, BenchResult>;

export function measured(value: number, unit: string, target?: Target, detail?: Record<string, unknown>): BenchResult {
  const v = Math.round(value * 100) / 100;
  return {
    value: v,
    unit,
    target: target ? `${target.op} ${target.value} ${unit}` : null,
    pass: target ? (target.op === '<' ? v < target.value : v >= target.value) : null,
    ...(detail && { detail }),
  };
}

export function skipped(unit: string, target: Target | undefined, why: string): BenchResult {
  return { value: null, unit, target: target ? `${target.op} ${target.value} ${unit}` : null, pass: null, skipped: why };
}

export function failed(unit: string, target: Target | undefined, error: unknown): BenchResult {
  return { value: null, unit, target: target ? `${target.op} ${target.value} ${unit}` : null, pass: false, error: error instanceof Error ? error.message : String(error) };
}
