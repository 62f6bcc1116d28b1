/**
 * Valence (pleasant vs unpleasant) and arousal (activated vs calm) from expression probabilities.
 *
 * Each expression gets a point on Russell's circumplex model of affect (J. A. Russell, "A circumplex
 * model of affect", J. Personality and Social Psychology 39(6), 1980, pp. 1161-1178). The angles are
 * those at which Russell's Fig. 2 places the nearest affect word, measured counter-clockwise from
 * the pleasure axis: happy/delighted ~ 15 deg, astonished (surprise) 70 deg, angry 99 deg,
 * afraid (fear) 117 deg, sad 208 deg. Disgust has no word in that figure; it sits between
 * "annoyed" (123 deg) and "miserable" (189 deg), at 150 deg, where Scherer's later version of the
 * circumplex puts "disgusted" (K. R. Scherer, "What are emotions?", Social Science Information
 * 44(4), 2005, Fig. 2). Neutral is the origin. Each point is on the unit circle, so the result is
 * the probability-weighted mean of points in the unit disc: valence and arousal stay in [-1, 1],
 * and a face that is mostly neutral lands near (0, 0).
 */
import { EMOTIONS, type Emotion, type EmotionScores } from '../types.js';

const DEG = Math.PI / 180;
const polar = (deg: number): readonly [number, number] => [Math.cos(deg * DEG), Math.sin(deg * DEG)];

/** (valence, arousal) per expression; see the module comment for the sources. */
export const CIRCUMPLEX: Readonly<Record<Emotion, readonly [number, number]>> = {
  angry: polar(99),
  disgust: polar(150),
  fear: polar(117),
  happy: polar(15),
  sad: polar(208),
  surprise: polar(70),
  neutral: [0, 0],
};

/** Probability-weighted mean of the circumplex points; `p` should sum to 1. */
export function valenceArousal(p: EmotionScores): { valence: number; arousal: number } {
  let valence = 0;
  let arousal = 0;
  for (const e of EMOTIONS) {
    const [v, a] = CIRCUMPLEX[e];
    valence += p[e] * v;
    arousal += p[e] * a;
  }
  const clamp = (x: number): number => Math.max(-1, Math.min(1, x));
  return { valence: clamp(valence), arousal: clamp(arousal) };
}
