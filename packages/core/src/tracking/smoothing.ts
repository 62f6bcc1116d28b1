/** Time-aware exponential smoothing of probability vectors, and hysteresis for the leading class. */
import { EMOTIONS, type Emotion, type EmotionScores } from '../types.js';

/**
 * Weight of the new sample after `dtMs` for a filter with half-life `halfLifeMs`: after one
 * half-life a step change is half way, whatever the frame rate. Half-life 0 means no smoothing.
 */
export function smoothingWeight(dtMs: number, halfLifeMs: number): number {
  if (halfLifeMs <= 0) return 1;
  if (dtMs <= 0) return 0;
  return 1 - Math.pow(2, -dtMs / halfLifeMs);
}

/** Scales the scores to sum 1 (uniform if they sum to 0). */
export function normalise(p: EmotionScores): EmotionScores {
  const sum = EMOTIONS.reduce((s, e) => s + p[e], 0);
  const out = {} as EmotionScores;
  for (const e of EMOTIONS) out[e] = sum > 0 ? p[e] / sum : 1 / EMOTIONS.length;
  return out;
}

/** `prev + alpha * (next - prev)` per class, re-normalised. */
export function blend(prev: EmotionScores, next: EmotionScores, alpha: number): EmotionScores {
  const out = {} as EmotionScores;
  for (const e of EMOTIONS) out[e] = prev[e] + alpha * (next[e] - prev[e]);
  return normalise(out);
}

export function argmax(p: EmotionScores): Emotion {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (p[e] > p[best]) best = e;
  return best;
}

/**
 * The leading class with hysteresis: keep `current` unless another class leads it by more than
 * `margin`, so the label does not flicker between two near-equal classes.
 */
export function dominantWithHysteresis(p: EmotionScores, current: Emotion | undefined, margin: number): Emotion {
  const leader = argmax(p);
  if (current === undefined || leader === current) return leader;
  return p[leader] - p[current] > margin ? leader : current;
}
