/** Public types of the engine. Everything a caller sees is declared here. */

/** The seven expression classes, in the order every result uses. */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** One colour per expression (CSS hex): the default palette of overlays (the element's, the extension's). */
export const EMOTION_COLORS: Readonly<Record<Emotion, string>> = {
  angry: '#ef4444',
  disgust: '#84cc16',
  fear: '#a855f7',
  happy: '#facc15',
  sad: '#3b82f6',
  surprise: '#f97316',
  neutral: '#94a3b8',
};

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

/**
 * What the engine did for one frame (see "Stills and videos" in the README). The work per frame
 * follows the faces and the search, so frames per second alone is no measure of speed.
 */
export interface FrameWork {
  /**
   * The face search: `tiles`, the full search (the whole frame, then overlapping tiles for small
   * faces); `frame`, the whole frame alone (`smallFaces` off, a close-up, or a video frame after
   * one without faces); `focus`, squares around the previous frame's faces of the same video, up
   * to four in one pass; `none`, nothing (a frame of size 0). In a video, `frame` and `focus` may
   * add that frame's piece of the full search spread over its frames (the whole frame or one tile:
   * `smallFaces` in the README).
   */
  search: 'tiles' | 'frame' | 'focus' | 'none';
  /**
   * Detector (BlazeFace) passes: 1 + the tiles searched + the closer looks at unsure finds in them
   * (+ the frame's squares, the frame seen from further away and their looks where no face was
   * found surely), or one per four faces in focus (+ 1 for a piece of the spread search, and its
   * closer looks).
   */
  detectorPasses: number;
  /**
   * Face crops run through the expression model. With `parallel`, in a video, the crops guessed
   * ahead of detection plus those classified again because a face was elsewhere.
   */
  facesClassified: number;
  /**
   * Finds the face verifier decided on (new finds under a quarter of the frame's shorter side, and
   * near misses of the detector's closer looks; README, `smallFaces`), and of them those it dropped.
   */
  facesVerified: number;
  facesDropped: number;
}

export interface DetectionResult {
  faces: Face[];
  timings: Timings;
  /** What the engine did for this frame: its face search, detector passes and faces classified. */
  work: FrameWork;
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
  /** Which asset: 'model-index', 'model-card', 'emotion-model', 'face-model', 'face-verifier', 'ort-wasm' or 'mediapipe-wasm'. */
  asset: string;
  url: string;
  loaded: number;
  /** Total bytes, 0 when the server did not say. */
  total: number;
  /** Overall fraction in [0, 1] across all assets, when known. */
  fraction: number;
}

/** The levels of the small-face search (`RuntimeOptions.smallFaces`): off, on, or `'tiny'`. */
export type SmallFaces = boolean | 'tiny';

/** Which frames are mirror-averaged (`RuntimeOptions.flipAverage`): none, all, or stills only. */
export type FlipAverage = boolean | 'stills';

/**
 * What the detector reports and how hard it looks, changeable at any time with
 * `detector.setOptions()` (no new runtime is loaded). Out-of-range values reject with an
 * `EmotionDetectorError` of code 'invalid-option' that names the option, its unit and range.
 */
export interface RuntimeOptions {
  /** Most faces reported per frame, the largest first. An integer from 1 to 64. Default 8. */
  maxFaces?: number;
  /**
   * Least detector confidence for a face to be reported, in the open interval (0, 1). Lower finds
   * more faces (turned away, blurred, small) and more false ones. Default 0.5.
   */
  minFaceConfidence?: number;
  /**
   * Half-life of the temporal smoothing of `Face.emotions`, in ms of frame time: after this long a
   * change of expression is half way through. From 0 (no smoothing) to 10000. Default 300.
   */
  smoothing?: number;
  /**
   * The search for small faces (group photos, wide shots). `false`: the whole frame only (faces
   * down to about a sixth of the frame's longer side). `true` (the default): also overlapping tiles
   * of half the longer side (down to about an eighth), and, only where neither found a face with a
   * score of 0.75 or more, tiles of a third and of a sixth of it with closer looks at unsure finds
   * (down to about a sixteenth), squares of the frame's shorter side, for a big face against the
   * frame's edge, and the frame seen from further away, for a face that fills it: a still where a
   * face was found costs 7 detector passes in 640x480, one without about 88. `'tiny'`: every tile
   * level always, with closer looks at finds from a score of 0.3, on a second MediaPipe graph (one
   * more WASM instance and WebGL context): small faces beside bigger ones too, for about 110
   * detector passes per still (640x480). A close-up costs one pass at any level. A video spreads the
   * search over its frames, one piece a frame. Default true.
   */
  smallFaces?: SmallFaces;
  /**
   * Classify each face also as its mirror image and average the two scores: more accurate, for
   * twice the expression model's time per face (figures in models/README.md, "Mirror averaging").
   * `'stills'` (the default): stills only, where the model's time is small beside the still's face
   * search and nothing else averages views; a video's frames once each, as its smoothing already
   * averages views over frames. `true`: every frame; `false`: none. Ignored for a model whose graph
   * already averages mirror views (its card's `architecture.views.mirrored`). Default `'stills'`.
   */
  flipAverage?: FlipAverage;
  /**
   * How long a face may go unseen (ms of frame time) and still keep its id and smoothing when it
   * is found again; a face seen in the stream's previous frame always continues, however long ago
   * that frame was. From 0 to 60000. Default 500.
   */
  trackingMemory?: number;
}

/** Options of `EmotionDetector.create()`: the runtime options, and what needs a new runtime. */
export interface EmotionDetectorOptions extends RuntimeOptions {
  /**
   * Where the expression model runs: 'webgpu', 'wasm', or 'auto' (WebGPU on a real, non-fallback
   * adapter, else WASM). Default 'auto'.
   */
  backend?: Backend;
  /**
   * Base URL of the assets folder (ort/, mediapipe/, models/ and worker.js), served from your
   * own origin. Default: the `assets/` folder next to the built module.
   */
  assetsBase?: string | URL;
  /** URL of the emotion model's ONNX file; its card (same name, .json) is read from beside it. Default: the default model of `assetsBase`'s models/emotion/index.json. */
  model?: string | URL;
  /** URL of a MediaPipe Tasks-compatible face detection .tflite. Default: the bundled BlazeFace short range. */
  faceModel?: string | URL;
  /** Run face detection and the expression model in a Web Worker, off the calling thread. Default false. */
  worker?: boolean;
  /**
   * Without `worker`: run the expression model in a Web Worker of its own (with `numThreads` - 1
   * WASM threads, at least 1) while the face detector runs on the calling thread. In a video the
   * worker classifies each face where its steadied crop is expected in the new frame while the
   * detector looks for it; a face whose crop lands more than a little from that guess (3% of its
   * side, 3 degrees) is classified again where it is. Stills and a video's first frame are
   * classified after detection. Default true on a device with two or more cores; where no worker
   * can start, the model runs on the calling thread.
   */
  parallel?: boolean;
  /**
   * WASM threads of the expression model, an integer from 1 to 64; more than 1 needs
   * cross-origin isolation (else 1 is used). Default min(4, hardwareConcurrency).
   */
  numThreads?: number;
  /**
   * The most one detect() may take from its turn, in ms (100 to 600000): past it the call rejects
   * with 'timeout', the runtime is taken as stuck (a lost GPU device, a hung runtime) and every
   * later call rejects with 'timeout' too: dispose() it and create() another. Default 15000, far
   * above any real frame time.
   */
  detectTimeoutMs?: number;
  /** Called while assets download. */
  onProgress?: (progress: LoadProgress) => void;
  /** Aborts the creation (download and initialisation): `create()` then rejects with 'aborted'. */
  signal?: AbortSignal;
}
