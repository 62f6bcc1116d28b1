/**
 * Face detection with MediaPipe Tasks (BlazeFace short range, CPU/XNNPACK), plus a tiled second
 * pass that finds the small faces of group photos and wide shots.
 */
import { FaceDetector } from '@mediapipe/tasks-vision';
import { EmotionDetectorError } from '../errors.js';
import { folder, mediapipeFiles } from '../assets/locate.js';
import type { Box, DetectedFace, FrameWork } from '../types.js';
import { focusPasses, type FocusPass } from './focus.js';
import { iou } from '../geometry/box.js';
import { mergeDetections } from './nms.js';
import { tileLayout, type Tile } from './tiles.js';
import { requireWebGL } from './webgl.js';
import { quietly, quietlyAsync } from './mediapipe-logs.js';
import { clipBox, moveFace, toDetectedFace, type Placement } from './to-face.js';

/** `{ wasmLoaderPath, wasmBinaryPath }` (tasks-vision does not export the type). */
type WasmFileset = Parameters<typeof FaceDetector.createFromOptions>[0];

export type DetectorImage = ImageBitmap | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | HTMLVideoElement | ImageData;

export interface FaceDetectorConfig {
  /** Folder of the @mediapipe/tasks-vision WASM fileset (its SIMD build), on our own origin. */
  wasmBase: string;
  /**
   * The fileset's `vision_wasm_internal.wasm`, already downloaded (by our asset loader: progress,
   * Cache API). MediaPipe then compiles these bytes instead of fetching the file from `wasmBase`.
   */
  wasmBinary?: Uint8Array;
  /** URL of a Tasks-compatible face detection .tflite, or its bytes. */
  model: string | Uint8Array;
  /** Detector confidence threshold in (0, 1). */
  minConfidence: number;
  /** Most faces returned (largest first). */
  maxFaces: number;
  /** Also search overlapping tiles for small faces. */
  smallFaces: boolean;
}

/** What can change between frames (the options module checked the values). */
export type DetectorSettings = Pick<FaceDetectorConfig, 'minConfidence' | 'maxFaces' | 'smallFaces'>;

/**
 * The frame and the tiles are drawn into canvases at most this big before MediaPipe sees them: the
 * model reads 128x128, and MediaPipe's own conversion of a large image (software WebGL) costs far
 * more than ours (about 900 ms for a 1920x1280 ImageBitmap against 10 ms for a 256 px canvas).
 */
const MAX_INPUT = 256;
/** Side of a focus mosaic (see focus.ts): the detector's own input size, so MediaPipe does not resample it. */
const MOSAIC_SIDE = 128;
/**
 * A face this wide (fraction of the frame's shorter side), found with at least TILE_CONFIDENCE,
 * makes the frame a close-up: no tiling. (Several small faces can read as a big, unsure one in the
 * whole-frame pass, which must not stop the tiles from finding them.)
 */
const CLOSE_UP = 0.3;
/** Detections within this fraction of a tile's inner edge are cut faces, left to other tiles. */
const EDGE_MARGIN = 0.02;
/** Least score of a new detection made in a tile or focus region (see detect()). */
const TILE_CONFIDENCE = 0.75;
/** A detection overlapping a previous frame's face this much (IoU) is that face again. */
const SEEN_IOU = 0.3;
/**
 * In a video, the full search is spread over this many frames: its pieces (the whole frame, then
 * each tile) take one frame each, in turn, on top of that frame's search around the last faces;
 * the cycle's other frames search around the last faces only. Counted in frames, not time, so the
 * work per frame does not depend on the frame rate (a slower machine does not spend a larger share
 * of its frames on full searches), and no frame pays for the whole search at once.
 */
export const SWEEP_FRAMES = 15;

async function loadModel(model: string | Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    let res: Response;
    try {
      res = await fetch(model, signal ? { signal } : {});
    } catch (e) {
      if (signal?.aborted) throw new EmotionDetectorError('aborted', 'Face detector creation was aborted', { cause: e });
      throw new EmotionDetectorError('asset-fetch-failed', `Could not fetch the face model ${model}: ${String(e)}`, { cause: e });
    }
    if (!res.ok) throw new EmotionDetectorError('asset-fetch-failed', `Could not fetch the face model ${model}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } else {
    bytes = model;
  }
  // A TFLite flatbuffer carries "TFL3" at bytes 4..8; anything else (an HTML error page...) is not one.
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') {
    throw new EmotionDetectorError('invalid-model', 'The face model is not a TFLite file (no TFL3 identifier)');
  }
  return bytes;
}

/**
 * A blob: URL serving `bytes` as application/wasm (MediaPipe only takes a URL), or undefined when
 * this context may not fetch blob: URLs (a CSP whose connect-src leaves blob: out): MediaPipe then
 * fetches the file from the server as usual.
 */
async function blobUrlFor(bytes: Uint8Array): Promise<string | undefined> {
  // The same kind of fetch MediaPipe's loader makes, from the same context (and so under the same
  // CSP), of an empty blob read to its end: no request left cancelled (which a page's network log
  // shows as failed) and no copy of the binary.
  const probe = URL.createObjectURL(new Blob([]));
  try {
    const res = await fetch(probe);
    await res.arrayBuffer();
    if (!res.ok) return undefined;
  } catch {
    return undefined; // blob: refused: MediaPipe fetches the plain URL
  } finally {
    URL.revokeObjectURL(probe);
  }
  return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/wasm' }));
}

/** Whether `box` keeps `margin` away from the sides of `area` that are not also `frameEdges`. */
function withinInnerEdges(box: Box, area: Box, frameEdges: Tile['frameEdges'], margin: number): boolean {
  return (
    (frameEdges.left || box.x > area.x + margin) &&
    (frameEdges.top || box.y > area.y + margin) &&
    (frameEdges.right || box.x + box.width < area.x + area.width - margin) &&
    (frameEdges.bottom || box.y + box.height < area.y + area.height - margin)
  );
}

export class MediaPipeFaceDetector {
  private inputCanvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  private frameCanvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  private closed = false;
  private passes = 0;
  private searchKind: FrameWork['search'] = 'none';

  private settings: DetectorSettings;

  private constructor(
    private readonly detector: FaceDetector,
    { minConfidence, maxFaces, smallFaces }: FaceDetectorConfig,
  ) {
    this.settings = { minConfidence, maxFaces, smallFaces };
  }

  static async create(config: FaceDetectorConfig, signal?: AbortSignal): Promise<MediaPipeFaceDetector> {
    requireWebGL();
    const modelAssetBuffer = await loadModel(config.model, signal);
    const base = folder(config.wasmBase);
    const binaryUrl = new URL(mediapipeFiles.binary, base).href;
    const binary = config.wasmBinary ? await blobUrlFor(config.wasmBinary) : undefined;
    let detector: FaceDetector;
    try {
      // The SIMD build only, as ONNX Runtime needs SIMD too (FilesetResolver would probe for it).
      const fileset: WasmFileset = { wasmLoaderPath: new URL(mediapipeFiles.loader, base).href, wasmBinaryPath: binary ?? binaryUrl };
      detector = await quietlyAsync(() =>
        FaceDetector.createFromOptions(fileset, {
          baseOptions: { modelAssetBuffer, delegate: 'CPU' },
          runningMode: 'IMAGE',
          minDetectionConfidence: config.minConfidence,
        }),
      );
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // MediaPipe reports model problems (missing metadata, wrong tensors) while building its graph.
      const code = /model|metadata|tensor|flatbuffer/i.test(msg) ? 'invalid-model' : 'runtime-error';
      throw new EmotionDetectorError(code, `MediaPipe could not create the face detector: ${msg}`, { cause: e });
    } finally {
      if (binary) URL.revokeObjectURL(binary);
    }
    if (signal?.aborted) {
      detector.close();
      throw new EmotionDetectorError('aborted', 'Face detector creation was aborted');
    }
    const created = new MediaPipeFaceDetector(detector, config);
    try {
      created.warmUp();
    } catch (e) {
      created.close();
      throw e;
    }
    return created;
  }

  /** New settings for the next frames; MediaPipe's own threshold changes through its task API (no new runtime). */
  async configure(next: DetectorSettings): Promise<void> {
    if (this.closed) throw new EmotionDetectorError('disposed', 'The face detector was used after close()');
    if (next.minConfidence !== this.settings.minConfidence) {
      try {
        await quietlyAsync(() => this.detector.setOptions({ minDetectionConfidence: next.minConfidence }));
      } catch (e) {
        throw new EmotionDetectorError('runtime-error', `MediaPipe refused the new confidence threshold: ${String(e)}`, { cause: e });
      }
      // MediaPipe rebuilt its graph: set it up now rather than on the next real frame.
      this.warmUp();
    }
    this.settings = { ...next };
  }

  /**
   * One pass on a blank frame: MediaPipe sets its graph and GL context up on the first image
   * (hundreds of ms), which would otherwise land on the first real frame. The blank frame is the
   * ImageData staging canvas, not the input canvas it is drawn into.
   */
  private warmUp(): void {
    this.detect(this.canvas('frameCanvas', 128, 128), 128, 128);
  }

  /**
   * Faces in `image` (of size `width` x `height`), largest first, in source pixels. A frame of
   * size 0 (a video not ready yet) has none.
   *
   * Without `previous`, the full search: the whole frame, then (unless it holds a close-up)
   * overlapping tiles for small faces. With `previous` (the faces of the previous frame of the same
   * video), only a square around each of them is searched, up to four of them in one pass
   * (focus.ts), instead of a pass for the frame plus one per tile; when the previous frame had none,
   * the whole frame is searched instead, which costs the same single pass. `sweep` (the frame's
   * number in its video) adds that frame's piece of the full search spread over SWEEP_FRAMES frames:
   * a face that enters the picture is found when the sweep reaches the whole frame or its tile.
   */
  detect(image: DetectorImage, width: number, height: number, previous?: readonly Box[], sweep?: number): DetectedFace[] {
    if (this.closed) throw new EmotionDetectorError('disposed', 'The face detector was used after close()');
    this.passes = 0;
    this.searchKind = 'none';
    if (!(width > 0 && height > 0)) return [];
    const drawable = image instanceof ImageData ? this.imageDataCanvas(image) : image;
    const { minConfidence, smallFaces, maxFaces } = this.settings;
    // Many tiles are many chances for a false positive: a new face found in a tile or region needs more confidence.
    const tileConfidence = Math.max(minConfidence, TILE_CONFIDENCE);
    let faces: DetectedFace[];
    if (smallFaces && previous) {
      // A face seen in the last frame keeps the frame's own threshold; anything else is new.
      const seen = (f: DetectedFace) => previous.some((b) => iou(b, f.box) >= SEEN_IOU);
      const whole = { x: 0, y: 0, width, height };
      // Around the last faces (a new face there needs the tiles' confidence), or, with none, the
      // whole frame in one pass, at the frame's own threshold.
      const found =
        previous.length > 0
          ? focusPasses(previous, width, height)
              .flatMap((p) => this.detectInPass(drawable, p, minConfidence))
              .filter((f) => f.score >= tileConfidence || seen(f))
          : this.detectIn(drawable, whole, minConfidence);
      this.searchKind = previous.length > 0 ? 'focus' : 'frame';
      // This frame's piece of the spread full search: the whole frame (at the frame's own threshold,
      // as in the full search) or one tile (at the tiles'); none past the pieces, and no tiles while
      // a close-up shows.
      const closeUp = previous.some((b) => b.width >= CLOSE_UP * Math.min(width, height));
      const tiles = smallFaces && !closeUp ? tileLayout(width, height) : [];
      const pieces: (Tile | 'frame')[] = ['frame', ...(tiles.length > 1 ? tiles : [])];
      const piece = sweep === undefined ? undefined : pieces[sweep % SWEEP_FRAMES];
      if (piece === 'frame' && previous.length > 0) found.push(...this.detectIn(drawable, whole, minConfidence));
      else if (piece && piece !== 'frame') found.push(...this.detectInTile(drawable, piece, tileConfidence));
      faces = mergeDetections(found);
    } else {
      this.searchKind = 'frame';
      faces = this.detectIn(drawable, { x: 0, y: 0, width, height }, minConfidence);
      const closeUp = faces.some((f) => f.box.width >= CLOSE_UP * Math.min(width, height) && f.score >= tileConfidence);
      const tiles = smallFaces && !previous && !closeUp ? tileLayout(width, height) : [];
      if (tiles.length > 1) {
        this.searchKind = 'tiles';
        faces = mergeDetections([...faces, ...tiles.flatMap((t) => this.detectInTile(drawable, t, tileConfidence))]);
      }
    }
    return faces
      .map((f) => ({ ...f, box: clipBox(f.box, width, height) }))
      .filter((f) => f.box.width > 0 && f.box.height > 0)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)
      .slice(0, maxFaces);
  }

  /** How many times the last detect() ran the model (1 + tiles searched). */
  get lastPassCount(): number {
    return this.passes;
  }

  /** What the last detect() searched (see FrameWork). */
  get lastSearch(): FrameWork['search'] {
    return this.searchKind;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detector.close();
  }

  private run(input: TexImageSource, at: Placement): DetectedFace[] {
    let result;
    this.passes++;
    try {
      result = quietly(() => this.detector.detect(input));
    } catch (e) {
      // WebGL refuses pixels of a cross-origin image or video served without CORS.
      if (e instanceof DOMException && e.name === 'SecurityError') {
        // The canvas that drew it stays unreadable for good: the next frame gets fresh ones.
        this.inputCanvas = undefined;
        this.frameCanvas = undefined;
        throw new EmotionDetectorError('tainted-source', 'The frame is a cross-origin image or video without CORS; its pixels cannot be read', { cause: e });
      }
      throw new EmotionDetectorError('runtime-error', `Face detection failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return result.detections.flatMap((d) => toDetectedFace(d, at) ?? []);
  }

  /** Detects in the `region` of `image`, drawn scaled down to at most MAX_INPUT pixels. */
  private detectIn(image: Exclude<DetectorImage, ImageData>, region: Box, minScore: number): DetectedFace[] {
    const scale = Math.min(1, MAX_INPUT / Math.max(region.width, region.height));
    const w = Math.max(1, Math.round(region.width * scale));
    const h = Math.max(1, Math.round(region.height * scale));
    const canvas = this.canvas('inputCanvas', w, h);
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    ctx.clearRect(0, 0, w, h); // a transparent source must not show the previous tile through
    ctx.drawImage(image, region.x, region.y, region.width, region.height, 0, 0, w, h);
    return this.run(canvas, { x: region.x, y: region.y, scale: region.width / w, width: w, height: h }).filter((f) => f.score >= minScore);
  }

  private detectInTile(image: Exclude<DetectorImage, ImageData>, tile: Tile, minScore: number): DetectedFace[] {
    // A face cut by an inner edge is found whole in the neighbouring tile (they overlap by half).
    return this.detectIn(image, tile, minScore).filter(({ box }) => withinInnerEdges(box, tile, tile.frameEdges, EDGE_MARGIN * tile.width));
  }

  /**
   * One focus pass: its cells drawn side by side into one mosaic of the detector's own input size
   * (so MediaPipe does not resample it again) and searched at once, each detection mapped back from
   * its cell to the frame.
   */
  private detectInPass(image: Exclude<DetectorImage, ImageData>, pass: FocusPass, minScore: number): DetectedFace[] {
    const cell = Math.floor(MOSAIC_SIDE / pass.grid);
    const side = cell * pass.grid;
    const canvas = this.canvas('inputCanvas', side, side);
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    ctx.clearRect(0, 0, side, side);
    const slots = pass.cells.map((source, i) => ({ source, at: { x: (i % pass.grid) * cell, y: Math.floor(i / pass.grid) * cell, width: cell, height: cell } }));
    for (const { source, at } of slots) {
      // Past 2x, shrinking with bilinear filtering alone would alias.
      ctx.imageSmoothingQuality = source.width > 2 * cell ? 'medium' : 'low';
      ctx.drawImage(image, source.x, source.y, source.width, source.height, at.x, at.y, cell, cell);
    }
    ctx.imageSmoothingQuality = 'low';
    return this.run(canvas, { x: 0, y: 0, scale: 1, width: side, height: side }).flatMap((f) => {
      if (f.score < minScore) return [];
      const cx = f.box.x + f.box.width / 2;
      const cy = f.box.y + f.box.height / 2;
      const slot = slots.find(({ at }) => cx >= at.x && cx < at.x + cell && cy >= at.y && cy < at.y + cell);
      // A face cut by a cell's edge is a neighbour's, or this face half out of its cell: not trusted.
      if (!slot || !withinInnerEdges(f.box, slot.at, slot.source.frameEdges, EDGE_MARGIN * cell)) return [];
      return [moveFace(f, slot.at, slot.source)];
    });
  }

  private imageDataCanvas(data: ImageData): OffscreenCanvas | HTMLCanvasElement {
    const canvas = this.canvas('frameCanvas', data.width, data.height);
    (canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D).putImageData(data, 0, 0);
    return canvas;
  }

  /** A reusable canvas (main thread or worker), resized when needed. */
  private canvas(slot: 'inputCanvas' | 'frameCanvas', width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
    let c = this[slot];
    if (!c) {
      c = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      this[slot] = c;
    }
    if (c.width !== width) c.width = width;
    if (c.height !== height) c.height = height;
    return c;
  }
}
