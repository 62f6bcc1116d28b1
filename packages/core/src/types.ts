/** Public types of the engine. Everything a caller sees is declared here. */

/** The seven expression classes, in the order every result uses. */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** Probabilities per expression; they sum to 1. */
export type EmotionScores = Record<Emotion, number>;

/** Where inference runs. `auto`: WebGPU on a real (non-fallback) adapter, else WASM. */
export type Backend = 'auto' | 'webgpu' | 'wasm';
/** The backend actually in use once created. */
export type ResolvedBackend = 'webgpu' | 'wasm';

/** Anything a frame can be read from. */
export type FrameSource =
  | HTMLVideoElement
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | VideoFrame
  | ImageData;

/** An axis-aligned box in source pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The six BlazeFace keypoints, in source pixels. Left/right are as seen in the image: `leftEye` is the eye nearer the image's left edge (the person's right eye). */
export interface FaceKeypoints {
  rightEye: Point;
  leftEye: Point;
  noseTip: Point;
  mouth: Point;
  rightEarTragion: Point;
  leftEarTragion: Point;
}

/** A face found by the detector, before classification. */
export interface DetectedFace {
  box: Box;
  keypoints: FaceKeypoints;
  /** Detector confidence in [0, 1]. */
  score: number;
}

/** One face in a result. */
export interface Face extends DetectedFace {
  /** Stable across frames while the face stays in view (tracking by overlap). */
  id: number;
  /** Smoothed over time (see `smoothing`); sums to 1. */
  emotions: EmotionScores;
  /** This frame's probabilities, before smoothing. */
  rawEmotions: EmotionScores;
  /** The leading emotion, with hysteresis so it does not flip on near-ties. */
  dominant: Emotion;
  /** Pleasantness in [-1, 1], from the probabilities (see tracking/affect.ts for the mapping). */
  valence: number;
  /** Activation in [-1, 1], from the probabilities. */
  arousal: number;
}

/** Milliseconds spent per stage for one `detect()` call. */
export interface Timings {
  detection: number;
  /** Cropping and the expression model, wherever it ran; with `parallel` it can overlap detection. */
  classification: number;
  /** The whole call, as the caller waited for it (less than the sum when the stages overlapped). */
  total: number;
}

export interface DetectionResult {
  faces: Face[];
  timings: Timings;
  /** Size of the analysed frame in pixels (0x0 for a video that is not ready yet). */
  width: number;
  height: number;
  /** The timestamp used for smoothing (ms). */
  timestamp: number;
}

/** Names one video among several that a detector analyses. */
export type StreamKey = string | number;

/** Per-call options of `detect()`. */
export interface DetectOptions {
  /**
   * Which video the frame belongs to, when one detector analyses several (e.g. the tiles of a
   * call). Between full searches, faces are looked for around the previous frame's faces *of the
   * same stream*, and each stream has its own tracking (ids unique across streams, smoothing).
   * Default: a single stream. Naming a stream says the frame belongs to a video (see `video`).
   */
  stream?: StreamKey;
  /**
   * Whether the frame is part of a video, whose faces are tracked and smoothed from frame to frame,
   * or a still, analysed exactly as a fresh detector would analyse it alone (full search, raw
   * probabilities, no tracking, and nothing of it kept for later calls), whatever its timestamp.
   * Default: a video for an `HTMLVideoElement` or a `VideoFrame`, or when `stream` is given; a
   * still for everything else (images, canvases, `ImageBitmap`s, `ImageData`). Pass `video: true`
   * for the frames of a video that reach the detector as canvases or bitmaps.
   */
  video?: boolean;
}

/** Progress of asset loading, reported through `onProgress`. */
export interface LoadProgress {
  /** Which asset: 'model-index', 'model-card', 'emotion-model', 'face-model', 'ort-wasm' or 'mediapipe-wasm'. */
  asset: string;
  url: string;
  loaded: number;
  /** Total bytes, 0 when the server did not say. */
  total: number;
  /** Overall fraction in [0, 1] across all assets, when known. */
  fraction: number;
}

export interface EmotionDetectorOptions {
  /** Default 'auto'. */
  backend?: Backend;
  /** Most faces reported per frame (largest first). Default 8. */
  maxFaces?: number;
  /** Detector confidence threshold in [0, 1]. Default 0.5. */
  minFaceConfidence?: number;
  /** Half-life of the temporal smoothing in ms; 0 disables smoothing. Default 300. */
  smoothing?: number;
  /**
   * Base URL of the assets folder (ort/, mediapipe/, models/ and worker.js), served from your
   * own origin. Default: the `assets/` folder next to the built module.
   */
  assetsBase?: string | URL;
  /** URL of the emotion model's ONNX file; its card (same name, .json) is read from beside it. */
  model?: string | URL;
  /** URL of a MediaPipe Tasks-compatible face detection .tflite. */
  faceModel?: string | URL;
  /** Run detection and classification in a Web Worker. Default false. */
  worker?: boolean;
  /**
   * Without `worker`: run the expression model in a Web Worker of its own (with numThreads - 1
   * WASM threads, at least 1), so that in a video it classifies the faces where their steadied
   * crops are expected in the new frame while the face detector runs on this thread; a face whose
   * crop lands more than a little from that guess (3% of its side, 3 degrees) is classified again
   * where it now is. Stills
   * and the first frame of a video are classified after detection, as without it. Default true
   * when the device has two or more cores; where no worker can start, the model runs on this thread.
   */
  parallel?: boolean;
  /** Threads for WASM (needs cross-origin isolation). Default: min(4, hardwareConcurrency). */
  numThreads?: number;
  /** Also search overlapping tiles for small faces. Default true. */
  smallFaces?: boolean;
  /**
   * Classify each face also as its mirror image and average the two: 0.7 to 1 point more
   * accuracy on FER2013 PublicTest's FER+ labels, for twice the expression model's time
   * (models/README.md, "Mirror averaging"). Worth it for photos; in a live video the temporal smoothing already
   * averages views. Ignored for a model that already averages mirror views in its graph (its card's
   * `architecture.views.mirrored`, e.g. `fer-resnet-xs-orig-tta-int8`). Default false.
   */
  flipAverage?: boolean;
  /** Called while assets download. */
  onProgress?: (progress: LoadProgress) => void;
  /** Abort the creation (download and initialisation). */
  signal?: AbortSignal;
}
