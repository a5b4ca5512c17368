// Score normalisation helpers (pkg/scheduler/framework/plugins/helper/normalize_score.go).

export const MAX_NODE_SCORE = 100;

/** Scales scores to [0, 100] by the largest (integer division); reverse flips them. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
