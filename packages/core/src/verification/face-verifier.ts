/**
 * A second opinion on the finds the detector is least sure of: a small CNN
 * (models/face/face-verifier.onnx, trained by models/training/face_verifier.py on FER2013 faces
 * against patches of photographs, framed as the engine frames its finds) that scores the crop the
 * expression model would be given. It decides on
 * - near misses (`unconfirmed`: closer looks whose mean fell between NEAR_MISS and CONFIRM,
 *   detection/face-detector.ts), which it keeps where it calls them faces: small faces found that the
 *   detector alone misses;
 * - every other new find smaller than SMALL_SIDE of the frame, which it drops where it does not:
 *   blobs of a background taken for small faces.
 * Faces larger than that are the detector's alone (BlazeFace is sure of them), and in a video a
 * face that continues one of the last frame's is not asked about again.
 *
 * The crops are cut here, on the detector's thread; the verifier's session (VerifierSession: ONNX
 * Runtime's WASM execution provider, 146k parameters, 24 MMACs a crop) runs beside the expression
 * model, on its runtime: here, or in the model's worker for `parallel` (host/build.ts), so that the
 * page's thread holds no ONNX Runtime of its own.
 */
import type * as Ort from 'onnxruntime-web';
import { EmotionDetectorError } from '../errors.js';
import type { Box, ResolvedBackend } from '../types.js';
import type { Drawable } from '../frame/frame.js';
import type { ModelCard } from '../model-card.js';
import { createSession, loadOrt, missingIo } from '../classification/backend.js';
import { FaceBatcher } from '../classification/face-batch.js';
import { itemSizeOf } from '../classification/preprocess.js';
import { sameFace, type FoundFace } from '../detection/face-detector.js';

/**
 * The verifier's bar: a crop scoring at least this is a face. The one its training chose (99.5% of
 * its dev faces reach it; the ONNX file's metadata `bar`, which test/node/face-verifier.test.mjs
 * checks against this).
 */
export const FACE_VERIFIER_BAR = 0.8076;
/** New finds whose longer side is under this share of the frame's shorter side are verified. */
export const SMALL_SIDE = 0.25;

/**
 * What the verifier was trained on: 48 x 48 grey crops in [0, 1], framed as FER2013 frames a face
 * (the default expression model's framing: the same crop geometry, whichever model classifies).
 */
const VERIFIER_INPUT: Pick<ModelCard, 'input' | 'crop'> = {
  input: {
    name: 'input',
    layout: 'NCHW',
    width: 48,
    height: 48,
    channels: 1,
    grayscaleWeights: [0.299, 0.587, 0.114],
    normalization: { scale: 1 / 255, mean: [0], std: [1] },
  },
  crop: { scale: 1.2, offsetY: -0.07, align: 'eyes' },
};
const OUTPUT = 'face';

export interface VerifierSessionInit {
  model: Uint8Array;
  /** For messages. */
  url: string;
  /** The runtime build already chosen for the expression model (its WASM binary is `ortWasm`). */
  backend: ResolvedBackend;
  ortWasm: Uint8Array;
  numThreads: number;
}

/** Runs the verifier's model: the probability of a face for each crop of a batch of VERIFIER_INPUT's shape. */
export interface FaceScorer {
  score(input: Float32Array): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Which of `faces` (of a `width` x `height` frame) the verifier decides on; `previous`: the last frame's faces of the same video. */
export function toVerify(faces: readonly FoundFace[], width: number, height: number, previous: readonly Box[] = []): boolean[] {
  const small = SMALL_SIDE * Math.min(width, height);
  return faces.map((f) => !!f.unconfirmed || (Math.max(f.extent.width, f.extent.height) < small && !previous.some((b) => sameFace(b, f.box))));
}

/** Decides on finds: cuts their crops and holds them to the bar; `scorer` runs the model. */
export class FaceVerifier {
  private readonly batcher = new FaceBatcher(VERIFIER_INPUT);

  constructor(private readonly scorer: FaceScorer) {}

  /** Which of `faces` stand: those it is not asked about (`check` false) and those it calls faces. */
  async keep(image: Drawable, faces: readonly FoundFace[], check: readonly boolean[]): Promise<boolean[]> {
    const asked = faces.filter((_, i) => check[i]);
    if (asked.length === 0) return faces.map(() => true);
    // Cut on the whole face (`extent`), as the expression model's crop is.
    const input = this.batcher.prepare(image, this.batcher.cropsOf(asked.map((f) => ({ ...f, box: f.extent }))));
    // One score a crop: VerifierSession.score checks that, here or in the model's worker.
    const p = await this.scorer.score(input);
    let k = 0;
    return check.map((c) => !c || p[k++]! >= FACE_VERIFIER_BAR);
  }

  close(): Promise<void> {
    return this.scorer.close();
  }
}

/** The verifier's model on an ONNX Runtime of this thread (the page's, or the model worker's). */
export class VerifierSession implements FaceScorer {
  private static readonly itemSize = itemSizeOf(VERIFIER_INPUT.input);

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
  ) {}

  static async create(init: VerifierSessionInit): Promise<VerifierSession> {
    const ort = await loadOrt(init.backend, init.ortWasm, init.numThreads);
    const session = await createSession(ort, 'wasm', init.model, init.url);
    const verifier = new VerifierSession(ort, session);
    try {
      const problem = missingIo(session, { input: VERIFIER_INPUT.input.name, output: OUTPUT });
      if (problem) throw new EmotionDetectorError('invalid-model', `${init.url} is not a face verifier: the verifier's ${problem}`);
      // The runtime sets up its kernels on the first run: here, not on the first small face.
      await verifier.score(new Float32Array(VerifierSession.itemSize));
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    return verifier;
  }

  async score(input: Float32Array): Promise<Float32Array> {
    const { name, channels, height, width } = VERIFIER_INPUT.input;
    const n = input.length / VerifierSession.itemSize;
    try {
      const out = (await this.session.run({ [name]: new this.ort.Tensor('float32', input, [n, channels, height, width]) }))[OUTPUT]!;
      const data = (await out.getData()) as Float32Array;
      out.dispose();
      if (data.length !== n) throw new Error(`${data.length} outputs for ${n} crops`);
      return data;
    } catch (e) {
      throw new EmotionDetectorError('runtime-error', `Face verification failed: ${String((e as Error)?.message ?? e)}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.session.release().catch(() => undefined);
  }
}
