/**
 * One frame in, results out: detect faces (the small and unsure ones verified), classify them all in
 * one batch, track them over time.
 * The same code runs on the main thread and inside the worker. It is given a ready face detector
 * and expression model: where the model runs (here, in a worker of its own, mirror-averaged) is
 * decided above it (host/build.ts).
 *
 * In a video, each face's crop is steadied from frame to frame (tracking/crop-filter.ts).
 * When the expression model runs concurrently (`parallel`: in a worker of its own), in a video
 * while the detector looks for this frame's faces, that worker already classifies the faces where
 * the crop filter expects them in this frame, as MediaPipe's own trackers crop a frame where the
 * face was; a face whose crop then lands further than a little from that guess is classified again
 * at its place. The two threads then share the frame's time instead of adding up.
 */
import type { DetectedFace, DetectionResult, EmotionScores, ResolvedBackend, StreamKey } from './types.js';
import type { RuntimeSettings } from './options.js';
import type { ExpressionModel } from './classification/classifier.js';
import type { CropGeometry } from './geometry/box.js';
import { FaceBatcher } from './classification/face-batch.js';
import type { ModelCard } from './model-card.js';
import type { MediaPipeFaceDetector } from './detection/face-detector.js';
import { toVerify, type FaceVerifier } from './verification/face-verifier.js';
import { CropFilter } from './tracking/crop-filter.js';
import { FaceTracker, idCounter } from './tracking/tracker.js';
import type { Frame } from './frame/frame.js';

export function emptyResult(timestamp: number): DetectionResult {
  return { faces: [], timings: { detection: 0, classification: 0, total: 0 }, work: { search: 'none', detectorPasses: 0, facesClassified: 0, facesVerified: 0, facesDropped: 0 }, width: 0, height: 0, timestamp };
}

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
  /**
   * Frames since the stream's last full search, which numbers the pieces of the full search spread
   * over its frames (face-detector.ts, SWEEP_FRAMES); undefined: the next frame gets a full search.
   */
  sweep: number | undefined;
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

  constructor(
    private readonly detector: MediaPipeFaceDetector,
    private readonly model: ExpressionModel,
    private readonly verifier: FaceVerifier,
    card: ModelCard,
    private settings: RuntimeSettings,
  ) {
    this.batcher = new FaceBatcher(card);
  }

  get backend(): ResolvedBackend {
    return this.model.backend;
  }

  /** Whether the expression model scores concurrently with this thread (see `parallel`). */
  get parallel(): boolean {
    return this.model.concurrent;
  }

  /**
   * New runtime settings from the next frame on; each stream keeps its faces. When the face search
   * changes (maxFaces, minFaceConfidence, smallFaces), each stream's next frame gets a full search:
   * a search focused on the last frame's faces would keep the old face set (a raised maxFaces or a
   * lowered threshold would show no new face until the spread full search came round).
   */
  async configure(settings: RuntimeSettings): Promise<void> {
    await this.detector.configure({ minConfidence: settings.minFaceConfidence, maxFaces: settings.maxFaces, smallFaces: settings.smallFaces });
    this.model.configure?.(settings);
    const old = this.settings;
    const searchChanged =
      settings.maxFaces !== old.maxFaces || settings.minFaceConfidence !== old.minFaceConfidence || settings.smallFaces !== old.smallFaces;
    this.settings = settings;
    for (const state of this.streams.values()) {
      state.tracker.configure(this.trackerSettings());
      if (searchChanged) state.sweep = undefined;
    }
  }

  /** Drops a stream's faces, ids and smoothing: its next frame starts afresh. */
  forget(stream: StreamKey): void {
    this.streams.delete(stream);
  }

  private trackerSettings() {
    return { halfLifeMs: this.settings.smoothing, maxMissedMs: this.settings.trackingMemory };
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
    // A video's frames are searched around the last frame's faces, each with its piece of the full
    // search spread over its frames (the whole frame or one tile; face-detector.ts, SWEEP_FRAMES),
    // so that a face that appears is found within one cycle, and the work per frame does not depend
    // on the frame rate. A still, a video's first frame and one after a change of the search get it
    // all at once.
    const sweep = continues && last.sweep !== undefined ? last.sweep + 1 : undefined;
    const previous = continues && sweep !== undefined ? last.faces.map((f) => f.box) : undefined;
    const cropFilter = continues ? last.crops : new CropFilter();
    const expected = continues && this.parallel ? cropFilter.predict(timestamp) : [];
    const guess = expected.length > 0 ? this.guess(frame, expected) : undefined;
    const t1 = performance.now();
    const detected = this.detector.detect(frame.image, frame.width, frame.height, previous, sweep);
    const { search, detectorPasses } = detected;
    // The verifier's say on small new finds and near misses (a face that continues one of the last
    // frame's was asked about when it appeared).
    const check = toVerify(detected.faces, frame.width, frame.height, continues ? last.faces.map((f) => f.box) : []);
    const keep = await this.verifier.keep(frame.image, detected.faces, check);
    const found = detected.faces.filter((_, i) => keep[i]).map(({ unconfirmed: _unconfirmed, ...f }) => f);
    const detection = performance.now() - t1;
    const tracker = last?.tracker ?? new FaceTracker({ ...this.trackerSettings(), newId: this.newId });
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
        sweep: sweep ?? 0,
      });
    }
    const crops = cropFilter.update(
      found.map((f) => f.box),
      // Framed on the whole face, past the frame's edge where it reaches there (the box is clipped).
      this.batcher.cropsOf(found.map((f) => ({ ...f, box: f.extent }))),
      timestamp,
    );
    const { scores, ms, classified } = await this.classify(frame, crops, !video, guess);
    const faces = tracker.update(
      found.map(({ extent: _extent, ...f }, i) => ({ ...f, probabilities: scores[i]! })),
      timestamp,
    );
    return {
      faces,
      timings: { detection, classification: ms, total: performance.now() - t0 },
      work: { search, detectorPasses, facesClassified: classified, facesVerified: check.filter(Boolean).length, facesDropped: detected.faces.length - found.length },
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
   * the model), wherever it ran: in parallel it overlaps the detection. `classified`: the crops the
   * model ran on (guessed and classified now). `still`: the frame is a still, not a video's (the
   * model mirror-averages stills at flipAverage 'stills').
   */
  private async classify(frame: Frame, crops: readonly CropGeometry[], still: boolean, guess?: Guess): Promise<{ scores: EmotionScores[]; ms: number; classified: number }> {
    const scores: EmotionScores[] = new Array(crops.length);
    let ms = 0;
    let classified = guess?.crops.length ?? 0;
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
      const now = await this.model.score(input, { still });
      ms += prepareMs + now.ms;
      classified += rest.length;
      rest.forEach((i, k) => (scores[i] = now.scores[k]!));
    }
    return { scores, ms, classified };
  }

  async close(): Promise<void> {
    this.detector.close();
    await this.model.close();
    await this.verifier.close();
    this.streams.clear();
  }
}
