/**
 * One frame in, results out: detect faces, classify them all in one batch, track them over time.
 * The same code runs on the main thread and inside the worker.
 */
import { EmotionDetectorError } from './errors.js';
import type { Box, DetectionResult, ResolvedBackend, StreamKey } from './types.js';
import { Classifier } from './classification/classifier.js';
import type { ModelCard } from './classification/model-card.js';
import { MediaPipeFaceDetector } from './detection/face-detector.js';
import { FaceTracker } from './tracking/tracker.js';
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
}

export function emptyResult(timestamp: number): DetectionResult {
  return { faces: [], timings: { detection: 0, classification: 0, total: 0 }, width: 0, height: 0, timestamp };
}

/** In a video, the full (tiled) search for small faces runs at least this often (ms of video time). */
const FULL_SEARCH_MS = 500;
/** Streams remembered (the least recently seen is forgotten first: it then gets a full search). */
const MAX_STREAMS = 32;

interface StreamState {
  timestamp: number;
  width: number;
  height: number;
  boxes: Box[];
  lastFullSearch: number;
}

export class Pipeline {
  private readonly tracker: FaceTracker;
  /** Per stream: the last frame's faces and when the last full search ran. */
  private readonly streams = new Map<StreamKey, StreamState>();

  private constructor(
    private readonly detector: MediaPipeFaceDetector,
    private readonly classifier: Classifier,
    smoothing: number,
  ) {
    this.tracker = new FaceTracker({ halfLifeMs: smoothing });
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
      Classifier.create(init),
    ]);
    if (detector.status === 'rejected' || classifier.status === 'rejected') {
      // Release whichever half did start.
      if (detector.status === 'fulfilled') detector.value.close();
      if (classifier.status === 'fulfilled') await classifier.value.close();
      throw detector.status === 'rejected' ? detector.reason : (classifier as PromiseRejectedResult).reason;
    }
    return new Pipeline(detector.value, classifier.value, init.smoothing);
  }

  get backend(): ResolvedBackend {
    return this.classifier.backend;
  }

  /**
   * Whether this frame continues the stream's video closely enough to search for small faces only
   * around `last`'s faces: else (stills, a jump back in time, a new frame size, FULL_SEARCH_MS since
   * the last full search) it gets the full search, so a face that appears is found within that time.
   */
  private static canFocus(last: StreamState | undefined, frame: Frame, timestamp: number): last is StreamState {
    return (
      !!last &&
      timestamp > last.timestamp &&
      frame.width === last.width &&
      frame.height === last.height &&
      timestamp - last.lastFullSearch < FULL_SEARCH_MS
    );
  }

  async process(frame: Frame, timestamp: number, stream: StreamKey = ''): Promise<DetectionResult> {
    const t0 = performance.now();
    const last = this.streams.get(stream);
    const focus = Pipeline.canFocus(last, frame, timestamp);
    const found = this.detector.detect(frame.image, frame.width, frame.height, focus ? last.boxes : undefined);
    // Re-inserted, so the map's first entry is the least recently seen stream.
    this.streams.delete(stream);
    if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
    this.streams.set(stream, {
      timestamp,
      width: frame.width,
      height: frame.height,
      boxes: found.map((f) => f.box),
      lastFullSearch: focus ? last.lastFullSearch : timestamp,
    });
    const t1 = performance.now();
    const scores = await this.classifier.classify(frame.image, found);
    const t2 = performance.now();
    const faces = this.tracker.update(
      found.map((f, i) => ({ ...f, probabilities: scores[i]! })),
      timestamp,
    );
    return {
      faces,
      timings: { detection: t1 - t0, classification: t2 - t1, total: performance.now() - t0 },
      width: frame.width,
      height: frame.height,
      timestamp,
    };
  }

  async close(): Promise<void> {
    this.detector.close();
    await this.classifier.close();
    this.tracker.reset();
    this.streams.clear();
  }
}

/** Checks and completes user options that shape the pipeline. */
export function pipelineSettings(o: { maxFaces?: number; minFaceConfidence?: number; smoothing?: number; smallFaces?: boolean }) {
  const bad = (msg: string): never => {
    throw new EmotionDetectorError('runtime-error', `Invalid option: ${msg}`);
  };
  const maxFaces = o.maxFaces ?? 8;
  const minFaceConfidence = o.minFaceConfidence ?? 0.5;
  const smoothing = o.smoothing ?? 300;
  if (!(Number.isInteger(maxFaces) && maxFaces >= 1)) bad(`maxFaces must be a positive integer, got ${maxFaces}`);
  if (!(minFaceConfidence > 0 && minFaceConfidence < 1)) bad(`minFaceConfidence must be in (0, 1), got ${minFaceConfidence}`);
  if (!(smoothing >= 0 && Number.isFinite(smoothing))) bad(`smoothing must be a non-negative number of ms, got ${smoothing}`);
  return { maxFaces, minFaceConfidence, smoothing, smallFaces: o.smallFaces ?? true };
}
