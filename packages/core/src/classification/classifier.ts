/**
 * The expression classifier: an ONNX session described by its model card. All faces of a frame
 * are cropped into one batch (face-batch.ts) and classified in a single run.
 *
 * On WebGPU, the GPU device can be lost while it runs (a driver reset, the GPU process gone, a
 * `device.destroy()`): a run then fails or never returns. The classifier watches the device's
 * `lost` promise, and once it settles opens the same model on ONNX Runtime's WASM execution
 * provider (in the runtime already loaded: its WebGPU build also runs WASM), runs the batch there,
 * warns once on the console and reports `backend` 'wasm' from then on. Should that fail too, every
 * run rejects with 'backend-unavailable'.
 */
import type * as Ort from 'onnxruntime-web';
import { EmotionDetectorError } from '../errors.js';
import type { EmotionScores, FlipAverage, ResolvedBackend } from '../types.js';
import { createSession, loadOrt, missingIo, type OrtModule } from './backend.js';
import type { ModelCard } from '../model-card.js';
import { itemSizeOf, softmax } from './preprocess.js';

export interface ClassifierInit {
  card: ModelCard;
  model: Uint8Array;
  /** For messages. */
  modelUrl: string;
  backend: ResolvedBackend;
  numThreads: number;
  ortWasm: Uint8Array;
}

/** Runs the expression model on prepared batches: here (Classifier), in a worker (host/model-worker.ts), mirror-averaged (FlipAveraged). */
export interface ExpressionModel {
  readonly backend: ResolvedBackend;
  /** Scores without holding this thread (a worker of its own), so that scoring ahead of detection pays. */
  readonly concurrent: boolean;
  /** Takes the run-time settings that concern it (e.g. `flipAverage`). */
  configure?(settings: { flipAverage: FlipAverage }): void;
  /**
   * One score set per item of `input` (which may be transferred away), and the model's own time in
   * ms. `frame.still`: the faces are a still's (FlipAveraged mirrors them at `'stills'`).
   */
  score(input: Float32Array, frame?: { still: boolean }): Promise<{ scores: EmotionScores[]; ms: number }>;
  close(): Promise<void>;
}

/** How a lost WebGPU device shows: its `lost` promise settles with a reason (e.g. 'destroyed') and a message. */
interface DeviceLostInfo {
  reason?: string;
  message?: string;
}
interface GpuDeviceLike {
  lost?: Promise<DeviceLostInfo>;
}
/** A run that failed on WebGPU is put down to a lost device when its `lost` settles within this (ms). */
const LOST_GRACE_MS = 1_000;

/** The WebGPU device ONNX Runtime runs on (`ort.env.webgpu.device`, set once its first WebGPU session exists), or undefined. */
async function ortDevice(ort: OrtModule): Promise<GpuDeviceLike | undefined> {
  try {
    const device = (await (ort.env.webgpu as { device?: unknown }).device) as GpuDeviceLike | undefined;
    return device && typeof device === 'object' ? device : undefined;
  } catch {
    return undefined;
  }
}

export class Classifier implements ExpressionModel {
  readonly concurrent = false;
  private readonly itemSize: number;
  private current: ResolvedBackend;
  /** Settles when the WebGPU device is lost (never on WASM). */
  private readonly lost: Promise<DeviceLostInfo>;
  private lostInfo: DeviceLostInfo | undefined;
  /** The switch to WASM once the device is lost (one for all runs). */
  private fallback: Promise<void> | undefined;

  private constructor(
    readonly card: ModelCard,
    backend: ResolvedBackend,
    private readonly ort: OrtModule,
    private session: Ort.InferenceSession,
    /** Kept on WebGPU only: the model opened again on WASM when the device is lost. */
    private readonly reopen: { model: Uint8Array; url: string } | undefined,
    device: GpuDeviceLike | undefined,
  ) {
    this.itemSize = itemSizeOf(card.input);
    this.current = backend;
    this.lost = device?.lost ? Promise.resolve(device.lost) : new Promise<DeviceLostInfo>(() => undefined);
    this.lost.then((info) => (this.lostInfo = info ?? {}), () => (this.lostInfo = {}));
  }

  /** Where the model runs now: 'webgpu', or 'wasm' (also after a lost WebGPU device). */
  get backend(): ResolvedBackend {
    return this.current;
  }

  static async create(init: ClassifierInit): Promise<Classifier> {
    const ort = await loadOrt(init.backend, init.ortWasm, init.numThreads);
    const session = await createSession(ort, init.backend, init.model, init.modelUrl);
    const problem = missingIo(session, { input: init.card.input.name, output: init.card.output.name });
    if (problem) {
      await session.release().catch(() => undefined);
      throw new EmotionDetectorError('model-card-mismatch', `Model card "${init.card.name}" does not match ${init.modelUrl}: the card's ${problem}`);
    }
    const gpu = init.backend === 'webgpu';
    const device = gpu ? await ortDevice(ort) : undefined;
    const classifier = new Classifier(init.card, init.backend, ort, session, gpu ? { model: init.model, url: init.modelUrl } : undefined, device);
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
    const output = await this.runSession(input, n);
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

  /** One run of the session on `input`; on WebGPU, a lost device moves it to WASM (see above). */
  private async runSession(input: Float32Array, n: number): Promise<Ort.Tensor> {
    const { card } = this;
    const once = async () => {
      // A fresh tensor per run: the runtime may hold (or, proxied, detach) the previous one.
      const tensor = new this.ort.Tensor('float32', input, [n, card.input.channels, card.input.height, card.input.width]);
      return (await this.session.run({ [card.input.name]: tensor }))[card.output.name];
    };
    const failed = (e: unknown) => new EmotionDetectorError('runtime-error', `Classification failed: ${String((e as Error)?.message ?? e)}`, { cause: e });
    if (this.current === 'webgpu' && !this.lostInfo) {
      // A run on a lost device may never return: the loss itself ends the wait.
      const lost = this.lost.then(() => 'lost' as const);
      const run = once();
      run.catch(() => undefined); // when the loss wins the race, the run's late failure is nobody's
      let outcome: Ort.Tensor | 'lost';
      try {
        outcome = await Promise.race([run, lost]);
      } catch (e) {
        const grace = new Promise<'alive'>((r) => setTimeout(() => r('alive'), LOST_GRACE_MS));
        if ((await Promise.race([lost, grace])) !== 'lost') throw failed(e);
        outcome = 'lost';
      }
      if (outcome !== 'lost') return outcome;
    }
    if (this.reopen && this.lostInfo) await this.toWasm();
    try {
      return await once();
    } catch (e) {
      throw failed(e);
    }
  }

  /** The device is lost: the model again, on WASM (once; a failure rejects every later run too). */
  private toWasm(): Promise<void> {
    this.fallback ??= (async () => {
      const { reason = 'unknown', message = '' } = this.lostInfo ?? {};
      const why = `the WebGPU device was lost (${reason}${message ? `: ${message}` : ''})`;
      const gpuSession = this.session;
      let session: Ort.InferenceSession;
      try {
        session = await createSession(this.ort, 'wasm', this.reopen!.model, this.reopen!.url);
      } catch (e) {
        throw new EmotionDetectorError('backend-unavailable', `The classifier cannot run: ${why}, and WASM would not start: ${String((e as Error)?.message ?? e)}`, { cause: e });
      }
      this.session = session;
      this.current = 'wasm';
      // The GPU session's release may touch the lost device: not awaited, errors ignored.
      void Promise.resolve()
        .then(() => gpuSession.release())
        .catch(() => undefined);
      console.warn(`emotion-detector: ${why}; the classifier continues on WASM.`);
    })();
    return this.fallback;
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
