/**
 * The expression classifier: an ONNX session described by its model card. All faces of a frame
 * are cropped into one batch (face-batch.ts) and classified in a single run.
 */
import type * as Ort from 'onnxruntime-web';
import { EmotionDetectorError } from '../errors.js';
import type { EmotionScores, ResolvedBackend } from '../types.js';
import { createSession, loadOrt, type OrtModule } from './backend.js';
import type { ModelCard } from '../model-card.js';
import { softmax } from './preprocess.js';

export interface ClassifierInit {
  card: ModelCard;
  model: Uint8Array;
  /** For messages. */
  modelUrl: string;
  backend: ResolvedBackend;
  numThreads: number;
  ortWasm: Uint8Array;
}

/** Says what the card gets wrong about the session, or undefined when they agree. */
export function cardMismatch(card: ModelCard, session: Pick<Ort.InferenceSession, 'inputNames' | 'outputNames'>): string | undefined {
  if (!session.inputNames.includes(card.input.name)) {
    return `the card's input "${card.input.name}" is not an input of the model (it has ${session.inputNames.join(', ')})`;
  }
  if (!session.outputNames.includes(card.output.name)) {
    return `the card's output "${card.output.name}" is not an output of the model (it has ${session.outputNames.join(', ')})`;
  }
  return undefined;
}

/** Runs the expression model on prepared batches: here (Classifier), in a worker (host/model-worker.ts), mirror-averaged (FlipAveraged). */
export interface ExpressionModel {
  readonly backend: ResolvedBackend;
  /** Scores without holding this thread (a worker of its own), so that scoring ahead of detection pays. */
  readonly concurrent: boolean;
  /** Takes the run-time settings that concern it (e.g. `flipAverage`). */
  configure?(settings: { flipAverage: boolean }): void;
  /** One score set per item of `input` (which may be transferred away), and the model's own time in ms. */
  score(input: Float32Array): Promise<{ scores: EmotionScores[]; ms: number }>;
  close(): Promise<void>;
}

export class Classifier implements ExpressionModel {
  readonly concurrent = false;
  private readonly itemSize: number;

  private constructor(
    readonly card: ModelCard,
    readonly backend: ResolvedBackend,
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
  ) {
    const { width, height, channels } = card.input;
    this.itemSize = width * height * channels;
  }

  static async create(init: ClassifierInit): Promise<Classifier> {
    const ort = await loadOrt(init.backend, init.ortWasm, init.numThreads);
    const session = await createSession(ort, init.backend, init.model, init.modelUrl);
    const problem = cardMismatch(init.card, session);
    if (problem) {
      await session.release().catch(() => undefined);
      throw new EmotionDetectorError('model-card-mismatch', `Model card "${init.card.name}" does not match ${init.modelUrl}: ${problem}`);
    }
    const classifier = new Classifier(init.card, init.backend, ort, session);
    // One run now: the runtime sets up its kernels on the first run (hundreds of ms), which would
    // otherwise land on the first frame; and an output that does not fit the card fails here.
    try {
      await classifier.run(new Float32Array(classifier.itemSize));
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    return classifier;
  }

  /** Runs the model on a prepared batch; one score set per item. */
  async run(input: Float32Array): Promise<EmotionScores[]> {
    const { card } = this;
    const n = input.length / this.itemSize;
    if (n === 0) return [];
    // A fresh tensor per run: the runtime may hold (or, proxied, detach) the previous one.
    const tensor = new this.ort.Tensor('float32', input, [n, card.input.channels, card.input.height, card.input.width]);
    let output: Ort.Tensor;
    try {
      const result = await this.session.run({ [card.input.name]: tensor });
      output = result[card.output.name];
    } catch (e) {
      throw new EmotionDetectorError('runtime-error', `Classification failed: ${String((e as Error)?.message ?? e)}`, { cause: e });
    }
    const data = (await output.getData()) as Float32Array;
    output.dispose();
    const k = card.output.labels.length;
    if (data.length !== n * k) {
      throw new EmotionDetectorError('model-card-mismatch', `The model gave ${data.length / n} outputs per face, the card lists ${k} labels`);
    }
    const scores: EmotionScores[] = [];
    for (let i = 0; i < n; i++) {
      const row = data.subarray(i * k, (i + 1) * k);
      const p = card.output.kind === 'logits' ? softmax(row) : row;
      scores.push(toScores(p, card.output.labels));
    }
    return scores;
  }

  async score(input: Float32Array): Promise<{ scores: EmotionScores[]; ms: number }> {
    const t0 = performance.now();
    const scores = await this.run(input);
    return { scores, ms: performance.now() - t0 };
  }

  async close(): Promise<void> {
    await this.session.release().catch(() => undefined);
  }
}

/** Maps the model's outputs to the seven emotions by the card's labels, renormalised to sum 1. */
function toScores(p: ArrayLike<number>, labels: readonly string[]): EmotionScores {
  const s = { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 0 } as EmotionScores;
  let sum = 0;
  labels.forEach((label, i) => {
    if (label in s) {
      s[label as keyof EmotionScores] = p[i];
      sum += p[i];
    }
  });
  if (sum > 0) for (const key of Object.keys(s) as (keyof EmotionScores)[]) s[key] /= sum;
  return s;
}
