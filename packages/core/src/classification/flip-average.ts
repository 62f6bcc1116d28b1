/**
 * Mirror averaging (test-time flip): each face is classified as cropped and as its mirror image,
 * and the two score sets are averaged. A facial expression reads the same in a mirror, so the two
 * views' errors partly cancel, for twice the model's time (figures in models/README.md, "Mirror
 * averaging").
 */
import { EMOTIONS, type EmotionScores, type FlipAverage, type ResolvedBackend } from '../types.js';
import type { ExpressionModel } from './classifier.js';

/**
 * A batch of n items (N x C x H x W, rows of `width` floats) followed by the same n items flipped
 * left to right: 2n items.
 */
export function withMirrors(input: Float32Array, width: number): Float32Array {
  const out = new Float32Array(input.length * 2);
  out.set(input);
  const rows = input.length / width; // every row of every channel of every item
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    const mirrored = input.length + base;
    for (let x = 0; x < width; x++) out[mirrored + x] = input[base + width - 1 - x]!;
  }
  return out;
}

/** Averages score set i with score set n + i, for the n items of a withMirrors batch. */
export function averageMirrored(scores: readonly EmotionScores[]): EmotionScores[] {
  const n = scores.length / 2;
  return scores.slice(0, n).map((a, i) => {
    const b = scores[n + i]!;
    const s = {} as EmotionScores;
    for (const e of EMOTIONS) s[e] = (a[e] + b[e]) / 2;
    return s;
  });
}

/**
 * An expression model that, as the `flipAverage` option says (every frame, stills only, or none),
 * scores each face and its mirror image in one batch and averages them.
 */
export class FlipAveraged implements ExpressionModel {
  constructor(
    private readonly inner: ExpressionModel,
    /** The model input's width (the card's input.width). */
    private readonly width: number,
    public mode: FlipAverage = true,
  ) {}

  get backend(): ResolvedBackend {
    return this.inner.backend;
  }

  get concurrent(): boolean {
    return this.inner.concurrent;
  }

  configure(settings: { flipAverage: FlipAverage }): void {
    this.mode = settings.flipAverage;
  }

  async score(input: Float32Array, frame?: { still: boolean }): Promise<{ scores: EmotionScores[]; ms: number }> {
    const mirror = this.mode === true || (this.mode === 'stills' && frame?.still === true);
    if (!mirror || input.length === 0) return this.inner.score(input);
    const { scores, ms } = await this.inner.score(withMirrors(input, this.width));
    return { scores: averageMirrored(scores), ms };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
