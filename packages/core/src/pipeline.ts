/**
 * One frame in, results out: detect faces, classify them all in one batch, track them over time.
 * The same code runs on the main thread and inside the worker.
 *
 * In a video, each face's crop is steadied from frame to frame (tracking/crop-filter.ts).
 * With `parallel` (main thread only), the expression model runs in a worker of its own. In a video,
 * while the detector looks for this frame's faces, that worker already classifies the faces where
 * the crop filter expects them in this frame, as MediaPipe's own trackers crop a frame where the
 * face was; a face whose crop then lands further than a little from that guess is classified again
 * at its place. The two threads then share the frame's time instead of adding up.
 */
import { EmotionDetectorError } from './errors.js';
import type { DetectedFace, DetectionResult, EmotionScores, ResolvedBackend, StreamKey } from './types.js';
import { Classifier, type ExpressionModel } from './classification/classifier.js';
import type { CropGeometry } from './classification/crop.js';
import { FaceBatcher } from './classification/face-batch.js';
import { FlipAveraged } from './classification/flip-average.js';
import { mirrorsInGraph, type ModelCard } from './classification/model-card.js';
import { RemoteClassifier } from './classification/remote-classifier.js';
import { MediaPipeFaceDetector } from './detection/face-detector.js';
import { CropFilter } from './tracking/crop-filter.js';
import { FaceTracker, idCounter } from './tracking/tracker.js';
import type { Frame } from './frame/frame.js';

/** Everything a pipeline is built from: plain data, so it can be posted to a worker. */
export interface PipelineInit {
  card: ModelCard;
  model: Uint8Array;
  modelUrl: string;
  faceModel: Uint8Array;
  mediapipeBase: string;
  /** MediaPipe's WASM binary, downloaded by loadAssets like the other files. */
  mediapipeWasm: Uint8Array;
  ortWasm: Uint8Array;
  backend: ResolvedBackend;
  numThreads: number;
  maxFaces: number;
  minFaceConfidence: number;
  smoothing: number;
  smallFaces: boolean;
  /** Run the expression model in a worker of its own beside the detector (see above). */
  parallel: boolean;
  /** Classify each face and its mirror image, and average the two (classification/flip-average.ts). */
  flipAverage: boolean;
  /** The engine's worker script (dist/assets/worker.js), for `parallel`. */
  workerUrl: string;
}

export function emptyResult(timestamp: number): DetectionResult {
  return { faces: [], timings: { detection: 0, classification: 0, total: 0 }, width: 0, height: 0, timestamp };
}

/** In a video, the full (tiled) search for small faces runs at least this often (ms of video time). */
const FULL_SEARCH_MS = 500;
/** Streams remembered (the least recently seen is forgotten first: it then gets a full search and new ids). */
const MAX_STREAMS = 32;
/**
 * A face keeps the scores classified at its guessed crop while its crop's centre is at most this
 * fraction of the crop's side away and its side differs by at most that fraction (3% is about 1.5
 * pixels of a 48-pixel model input) ...
 */
const SAME_CROP_SHIFT = 0.03;
/** ... and it turned by at most this (radians, about 3 degrees). */
const SAME_CROP_TURN = 0.05;

interface StreamState {
  /** Ids and smoothing of this stream's faces (ids are unique across streams). */
  tracker: FaceTracker;
  /** Steadied crops of the last frame's faces. */
  crops: CropFilter;
  timestamp: number;
  width: number;
  height: number;
  faces: DetectedFace[];
  lastFullSearch: number;
}

/** The faces expected in this frame, cropped where the crop filter predicts them and being classified while the detector runs. */
interface Guess {
  crops: CropGeometry[];
  result: Promise<{ scores: EmotionScores[]; ms: number }>;
  prepareMs: number;
}

function sameCrop(a: CropGeometry, b: CropGeometry): boolean {
  const tolerance = SAME_CROP_SHIFT * a.side;
  return (
    Math.abs(a.cx - b.cx) <= tolerance &&
    Math.abs(a.cy - b.cy) <= tolerance &&
    Math.abs(a.side - b.side) <= tolerance &&
    Math.abs(a.angle - b.angle) <= SAME_CROP_TURN
  );
}

export class Pipeline {
  private readonly batcher: FaceBatcher;
  /** Per stream: its face tracker, the last frame's faces and when the last full search ran. */
  private readonly streams = new Map<StreamKey, StreamState>();
  private readonly newId = idCounter();

  private constructor(
    private readonly detector: MediaPipeFaceDetector,
    private readonly model: ExpressionModel,
    private readonly inWorker: boolean,
    card: ModelCard,
    private readonly smoothing: number,
  ) {
    this.batcher = new FaceBatcher(card);
  }

  /**
   * The expression model: in a worker of its own for `parallel` (with one thread fewer than the
   * engine's, as the detector keeps this one), else here. Where no worker can start (a CSP without
   * worker-src for our assets, say) it runs here too.
   */
  private static async expressionModel(init: PipelineInit): Promise<ExpressionModel> {
    if (init.parallel) {
      try {
        return await RemoteClassifier.create({ ...init, numThreads: Math.max(1, init.numThreads - 1) }, init.workerUrl);
      } catch (e) {
        if (!(e instanceof EmotionDetectorError && e.code === 'worker-failed')) throw e;
      }
    }
    return Classifier.create(init);
  }

  static async create(init: PipelineInit): Promise<Pipeline> {
    const [detector, classifier] = await Promise.allSettled([
      MediaPipeFaceDetector.create({
        wasmBase: init.mediapipeBase,
        wasmBinary: init.mediapipeWasm,
        model: init.faceModel,
        minConfidence: init.minFaceConfidence,
        maxFaces: init.maxFaces,
        smallFaces: init.smallFaces,
      }),
      Pipeline.expressionModel(init),
    ]);
    if (detector.status === 'rejected' || classifier.status === 'rejected') {
      // Release whichever half did start.
      if (detector.status === 'fulfilled') detector.value.close();
      if (classifier.status === 'fulfilled') await classifier.value.close();
      throw detector.status === 'rejected' ? detector.reason : (classifier as PromiseRejectedResult).reason;
    }
    const parallel = classifier.value instanceof RemoteClassifier;
    // A model that averages mirror views in its own graph gains nothing from averaging them again.
    const model = init.flipAverage && !mirrorsInGraph(init.card) ? new FlipAveraged(classifier.value, init.card.input.width) : classifier.value;
    return new Pipeline(detector.value, model, parallel, init.card, init.smoothing);
  }

  get backend(): ResolvedBackend {
    return this.model.backend;
  }

  /** Whether the expression model runs in its own worker, beside the detector. */
  get parallel(): boolean {
    return this.inWorker;
  }

  /** Whether this frame continues the stream's video (not a still, a jump back in time or a new frame size). */
  private static continues(last: StreamState | undefined, frame: Frame, timestamp: number): last is StreamState {
    return !!last && timestamp > last.timestamp && frame.width === last.width && frame.height === last.height;
  }

  /**
   * A frame of the video `stream`, or with `video` false a still: analysed as a fresh pipeline
   * would (full search, a new tracker), reading and keeping nothing of any stream.
   */
  async process(frame: Frame, timestamp: number, stream: StreamKey = '', video = false): Promise<DetectionResult> {
    const t0 = performance.now();
    const last = video ? this.streams.get(stream) : undefined;
    const continues = Pipeline.continues(last, frame, timestamp);
    // Small faces are searched for only around the last frame's faces, but every FULL_SEARCH_MS the
    // whole frame is searched, so a face that appears is found within that time.
    const focus = continues && timestamp - last.lastFullSearch < FULL_SEARCH_MS;
    const cropFilter = continues ? last.crops : new CropFilter();
    const expected = continues && this.parallel ? cropFilter.predict(timestamp) : [];
    const guess = expected.length > 0 ? this.guess(frame, expected) : undefined;
    const t1 = performance.now();
    const found = this.detector.detect(frame.image, frame.width, frame.height, focus ? last.faces.map((f) => f.box) : undefined);
    const detection = performance.now() - t1;
    const tracker = last?.tracker ?? new FaceTracker({ halfLifeMs: this.smoothing, newId: this.newId });
    if (video) {
      // Re-inserted, so the map's first entry is the least recently seen stream.
      this.streams.delete(stream);
      if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
      this.streams.set(stream, {
        tracker,
        crops: cropFilter,
        timestamp,
        width: frame.width,
        height: frame.height,
        faces: found,
        lastFullSearch: focus ? last.lastFullSearch : timestamp,
      });
    }
    const crops = cropFilter.update(
      found.map((f) => f.box),
      this.batcher.cropsOf(found),
      timestamp,
    );
    const { scores, ms } = await this.classify(frame, crops, guess);
    const faces = tracker.update(
      found.map((f, i) => ({ ...f, probabilities: scores[i]! })),
      timestamp,
    );
    return {
      faces,
      timings: { detection, classification: ms, total: performance.now() - t0 },
      width: frame.width,
      height: frame.height,
      timestamp,
    };
  }

  /** Starts classifying the faces expected in this frame, at their `crops`. */
  private guess(frame: Frame, crops: CropGeometry[]): Guess {
    const t0 = performance.now();
    const input = this.batcher.prepare(frame.image, crops);
    const prepareMs = performance.now() - t0;
    const result = this.model.score(input);
    result.catch(() => undefined); // awaited after detection; not unhandled meanwhile
    return { crops, result, prepareMs };
  }

  /**
   * Scores for the faces at `crops`: a face whose crop is about where it was guessed keeps its
   * guessed scores, the rest are classified now. `ms` is the time spent classifying (cropping and
   * the model), wherever it ran: in parallel it overlaps the detection.
   */
  private async classify(frame: Frame, crops: readonly CropGeometry[], guess?: Guess): Promise<{ scores: EmotionScores[]; ms: number }> {
    const scores: EmotionScores[] = new Array(crops.length);
    let ms = 0;
    let rest = crops.map((_, i) => i);
    if (guess) {
      const guessed = await guess.result;
      ms += guess.prepareMs + guessed.ms;
      const taken = new Set<number>();
      rest = [];
      crops.forEach((crop, i) => {
        const j = guess.crops.findIndex((c, k) => !taken.has(k) && sameCrop(crop, c));
        if (j < 0) return void rest.push(i);
        taken.add(j);
        scores[i] = guessed.scores[j]!;
      });
    }
    if (rest.length > 0) {
      const t0 = performance.now();
      const input = this.batcher.prepare(frame.image, rest.map((i) => crops[i]!));
      const prepareMs = performance.now() - t0;
      const now = await this.model.score(input);
      ms += prepareMs + now.ms;
      rest.forEach((i, k) => (scores[i] = now.scores[k]!));
    }
    return { scores, ms };
  }

  async close(): Promise<void> {
    this.detector.close();
    await this.model.close();
    this.streams.clear();
  }
}

/** Checks and completes user options that shape the pipeline. */
export function pipelineSettings(o: {
  maxFaces?: number;
  minFaceConfidence?: number;
  smoothing?: number;
  smallFaces?: boolean;
  parallel?: boolean;
  flipAverage?: boolean;
}) {
  const bad = (msg: string): never => {
    throw new EmotionDetectorError('runtime-error', `Invalid option: ${msg}`);
  };
  const maxFaces = o.maxFaces ?? 8;
  const minFaceConfidence = o.minFaceConfidence ?? 0.5;
  const smoothing = o.smoothing ?? 300;
  if (!(Number.isInteger(maxFaces) && maxFaces >= 1)) bad(`maxFaces must be a positive integer, got ${maxFaces}`);
  if (!(minFaceConfidence > 0 && minFaceConfidence < 1)) bad(`minFaceConfidence must be in (0, 1), got ${minFaceConfidence}`);
  if (!(smoothing >= 0 && Number.isFinite(smoothing))) bad(`smoothing must be a non-negative number of ms, got ${smoothing}`);
  // A second thread only helps where there is a core for it.
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  const parallel = (o.parallel ?? true) && cores >= 2 && typeof Worker === 'function';
  return { maxFaces, minFaceConfidence, smoothing, smallFaces: o.smallFaces ?? true, parallel, flipAverage: o.flipAverage ?? false };
}
