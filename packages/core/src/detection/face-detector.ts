/**
 * Face detection with MediaPipe Tasks (BlazeFace short range, CPU/XNNPACK), plus tiled passes that
 * find the small faces of group photos and wide shots, each unsure find confirmed by a closer look.
 */
import { FaceDetector } from '@mediapipe/tasks-vision';
import { EmotionDetectorError } from '../errors.js';
import { folder, mediapipeFiles } from '../assets/locate.js';
import type { Box, DetectedFace, FrameWork, SmallFaces } from '../types.js';
import { focusPasses, type FocusPass } from './focus.js';
import { centre, centredSquare, containsPoint, iou, overlapOfSmaller } from '../geometry/box.js';
import { mergeDetections, type Unconfirmed } from './nms.js';
import { frameSquares, frameZoomedOut, reachingPast, squaresPastEnds, tileLevels, type LevelTile, type Tile } from './tiles.js';
import { requireWebGL } from './webgl.js';
import { lumaMap, lumaMapSize, type LumaMap } from './luma-map.js';
import { quietly, quietlyAsync } from './mediapipe-logs.js';
import { clipBox, moveFace, toDetectedFace, unmirrorFace, type Placement } from './to-face.js';

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
  /**
   * The search for small faces: `false`, the whole frame only; `true`, also tiles of half the
   * frame's longer side, and of a third and a sixth of it where no face was found with
   * TILE_CONFIDENCE; `'tiny'`, every level always, unsure finds from 0.3 confirmed by closer looks (a second
   * MediaPipe graph).
   */
  smallFaces: SmallFaces;
}

/** What can change between frames (the options module checked the values). */
export type DetectorSettings = Pick<FaceDetectorConfig, 'minConfidence' | 'maxFaces' | 'smallFaces'>;

/** The threshold of the tiles' finds at the level `smallFaces`: 0.3 for 'tiny', else the frame's own. */
function candidateThreshold({ smallFaces, minConfidence }: DetectorSettings): number {
  return smallFaces === 'tiny' ? Math.min(minConfidence, CANDIDATE) : minConfidence;
}

/** Whether the tiles need a graph of their own (one with a lower threshold than the frame's): 'tiny' only. */
function needsFinder(settings: DetectorSettings): boolean {
  return candidateThreshold(settings) < settings.minConfidence;
}

/**
 * Whether two boxes are one face: they overlap (IoU over 0.3), or one lies in the other and they are
 * of about a size (a small face inside a big box, e.g. a false find in the whole frame, is another).
 */
export function sameFace(a: Box, b: Box): boolean {
  const sizes = Math.max(a.width, b.width) / Math.max(1e-6, Math.min(a.width, b.width));
  return iou(a, b) > 0.3 || (overlapOfSmaller(a, b) > 0.7 && sizes < 2);
}

/**
 * Whether `box` reaches (within a pixel) or crosses an edge of the `width` x `height` frame where the
 * whole frame's detector input ends: MediaPipe letterboxes the frame into its square input, so in a
 * frame wider than tall its left and right edges, in one taller than wide its top and bottom, in a
 * square one all four. Past the other two lies MediaPipe's padding, where its boxes reach freely.
 */
function atInputEdge(box: Box, width: number, height: number): boolean {
  const sides = width >= height && (box.x <= 1 || box.x + box.width >= width - 1);
  const ends = height >= width && (box.y <= 1 || box.y + box.height >= height - 1);
  return sides || ends;
}

/** The best-scored of `finds` that is the face at `box` (sameFace), if any: what a look at it saw. */
function bestOf(finds: readonly DetectedFace[], box: Box): DetectedFace | undefined {
  return finds.filter((f) => sameFace(f.box, box)).sort((a, b) => b.score - a.score)[0];
}

/**
 * The frame and the tiles are drawn into canvases at most this big before MediaPipe sees them: the
 * model reads 128x128, and MediaPipe's own conversion of a large image (software WebGL) costs far
 * more than ours (about 900 ms for a 1920x1280 ImageBitmap against 10 ms for a 256 px canvas).
 */
const MAX_INPUT = 256;
/**
 * The contrast (around mid-grey: drawn at this opacity over it, black becomes 15% grey, white 85%)
 * at which the search for faces not found surely sees a dark part of the frame (mean luma under
 * DARK_SURROUND, from the frame's luma map): a tile of the finer levels, the closer looks at a find
 * whose surround is dark, and the whole frame a second time when the frame itself is dark. BlazeFace
 * scores a face on a black or very dark surround low or not at all, even where it fills a third of
 * its input, and at 0.7 finds most of them; but it also scores faces in ordinary light lower there (a
 * face of sample2 went unfound, textures gave false faces), so only dark parts are seen so, and the
 * first passes (the whole frame, the coarse tiles) never. A video's focus passes draw a dark cell so,
 * to follow a face found so. Drawn with globalAlpha, not ctx.filter, which not every browser's
 * OffscreenCanvas has.
 */
const LOW_CONTRAST = 0.7;
/** Mid-grey, under a frame drawn at a lower contrast. */
const MID_GREY = '#808080';
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
/**
 * Least score of a new detection made in a focus region, of a tile's find taken without a closer
 * look, and of a face that makes the frame a close-up or (at the default level) spares it the finer
 * tiles (see detect()).
 */
const TILE_CONFIDENCE = 0.75;
/**
 * Least score of a tile's find worth a closer look at the 'tiny' level (at the default level, the
 * frame's own threshold). The tiles and closer looks then run on a second MediaPipe graph with this
 * threshold: lowering the first graph's would change its boxes (MediaPipe averages every box over
 * its threshold that overlaps a face into that face's box, and boxes of 0.3-0.5 are often larger:
 * measured, whole-frame boxes of sample1 grew from about 190 to 300 px).
 */
const CANDIDATE = 0.3;
/**
 * The closer looks at a tile's find: squares this many times its box, centred on it (past the
 * frame's edge too: centredSquare), where the face is about 40%, 56% and 29% of the detector's
 * input. False finds in textures and clothes rarely hold in every view, real faces do: a tile's find
 * is a face when the mean of its four scores (the tile's and these three; 0 where a look does not
 * find it) reaches CONFIRM and minConfidence. The widest look, the last (29%), is what turns most
 * face-like blobs away: they seldom hold with that much of their surround.
 */
const CLOSER_REACH = [2.5, 1.8, 3.5] as const;
/**
 * Least mean score of a tile's find and its closer looks: 0.58 with a finest level of quarters, 0.6
 * with fifths (more tiles, more chances for a blob to pass), 0.62 with thirds and sixths (a blob of
 * eval:detector's face-free video, 0.606 in a tile of a third, was then followed for 31 frames at
 * 'tiny'; on eval:pipeline's 150 Training faces one face fewer in 1,500 small-face frames).
 */
const CONFIRM = 0.62;
/**
 * A mean of a find's views at least this but short of CONFIRM (or minConfidence) makes it a near
 * miss: kept, flagged `unconfirmed`, only where the face verifier (verification/face-verifier.ts)
 * calls its crop a face. Most small faces that closer looks fail to confirm land here, and few of the
 * blobs they turn down (models/README.md, "Shipped: verifier-17a in the engine": PublicTest faces a
 * tenth of the frame high, 98.4 -> 99.2% found centred on grey).
 */
const NEAR_MISS = 0.45;
/**
 * On a dark surround BlazeFace often misses a face this small (models/eval/detector-scale.mjs: 91.5%
 * of faces found at 30% of its input on black, 98% on grey). Where the wide look's surround is dark
 * as that look sees it (mean luma under DARK_SURROUND, black past the frame's edge: a face in the
 * frame's corner sits in the middle of the look) and the mean falls short, that look is replaced by one at this
 * reach (the face at 48% of the input).
 */
const DARK_REACH = 2.1;
/** Mean luma (0-1) of a region (the wide look's surround, a tile, the frame) under which it counts as dark. */
const DARK_SURROUND = 0.25;
/** The wide look's reach (the last of CLOSER_REACH). */
const WIDEST = CLOSER_REACH[CLOSER_REACH.length - 1]!;
/** The next widest look's: the wide look's surround is its square beyond this one's. */
const NEXT_WIDEST = Math.max(...CLOSER_REACH.slice(0, -1));
/**
 * The second look at a find of the frame's squares: a square this many times its box, centred on
 * it (the face at half the input), mid-grey past the frame's edge.
 */
const SQUARE_LOOK = 2;
/**
 * How far (fraction of their side) the frame's end squares are also searched past its ends, mid-grey
 * there (squaresPastEnds): a big face that the frame cuts at its left or right edge then has grey
 * beside its cut side instead of the input's edge. Chosen on 600 dev faces half a 640x480 frame high,
 * a fifth past its left edge (found 97.7% without; with the squares' one-look rule, 99.3% at 0.2,
 * 99.5% at 0.3, and summed over four conditions with a face at or past the edge +2.0 points of
 * accuracy at 0.2, +1.8 at 0.3; as shipped, with PAST_CONFIRM, 99.2%).
 */
const PAST_ENDS = 0.2;
/**
 * Least mean score of a find of those moved squares and its two looks, at SQUARE_LOOK and at the
 * closer looks' widest reach (WIDEST), which textures' blobs seldom hold. They are two more views of
 * the frame, more chances for a blob: confirmed as the frame's squares are (one look, CONFIRM), their
 * finds of blobs passed in 150 of 3,600 dev frames (3,000 of them textured; faces a tenth of a
 * 640x480 frame high to filling it), at 0.65 in 9 (and in 5 of 1,000 PublicTest frames, up to 0.74),
 * with 15 of the faces that only they found. With the wide look at this bar: no blob, 13 faces.
 */
const PAST_CONFIRM = 0.64;
/**
 * How much further away the frame is seen for faces too big for its own view (frameZoomedOut: a face
 * that fills the frame's height then fills half the input), and how much further its finds' third view
 * sees it. A face found there is confirmed by a look at ZOOMED_LOOK times its box and by that third
 * view: the blobs of a texture that the nearer view reads as a face (50 finds of 0.5-0.67 in 120
 * face-free textures) vanish from the further one (49 of the 50 scored under 0.5 there), while faces
 * hold (the 10 faces of frameZoomedOut's comment: 0.58-0.78 there).
 */
const ZOOM_OUT = [1.5, 2] as const;
/** The look at a find of the frame seen from further away: a square this many times its box (the face at the scale of that view). */
const ZOOMED_LOOK = 2.5;
/**
 * Least width (fraction of the frame's shorter side) of a find of the frame seen from further away:
 * that view is for faces too big for the whole frame's own; a smaller find there is one the whole
 * frame sees better, or a blob of the background.
 */
const ZOOMED_LEAST = 0.5;
/**
 * Most spread of luma (standard deviation, 0-1; LumaMap.spread) of a closer look's surround in the
 * frame under which the looks see mid-grey past the frame's edge instead of black, where that
 * surround is not dark: a plain wall, which black past the edge turns into a hard corner around a
 * small face there (a tenth of 640x480 in a grey corner, 300 Training faces, both finer levels' tiles
 * reaching past the edge: 98.7% found with black there, 99.3% with grey). Not on a texture, where black past the edge keeps its blobs from passing
 * for faces (grey there: 77 other boxes instead of 65 in 300 frames of a fifth in a textured corner),
 * nor on a dark surround, whose looks (LOW_CONTRAST, DARK_REACH) were chosen with black there (grey
 * lost a face half the frame high in the black corner).
 */
const PLAIN_SURROUND = 0.05;
/**
 * A face whose box reaches the frame's edge where the detector's input ends (atInputEdge: the left
 * and right edges of a landscape frame) is looked at once more in a square this many times its
 * box, centred on it, mid-grey past the frame's edge (edgeLook). BlazeFace keeps its boxes inside its
 * input: where a face is cut by the input's edge, the box is pushed in (on the left, its side kept and
 * its corner set on the edge: faces 240 px wide reaching 48 px past the frame's left edge had their
 * box's centre 27.8 px (median) right of where the same face's box sits inside the frame, 11.4 px
 * left past the right edge; edge-boxes.test.ts), and the crop, framed on the box, was cut off
 * centre. With room past the edge the box covers more of the face (13.0 and 8.8 px off), past the
 * edge, as a crop from FER2013 does.
 */
const EDGE_LOOK = 1.8;
/** Most tile finds looked at more closely in one frame (the best-scored first). */
const MAX_CLOSER_LOOKS = 16;
/** A detection overlapping a previous frame's face this much (IoU) is that face again. */
const SEEN_IOU = 0.3;
/**
 * In a video, the full search is spread over its frames: its pieces (the whole frame, then each
 * tile of the coarse level, then each of the finer levels where they are searched) take one frame each,
 * in turn, on top of that frame's search around the last faces, in a cycle of this many frames, or
 * of as many frames as there are pieces where they are more (85 in 640x480 with the finer levels: see
 * sweepCycle); the cycle's other frames search around the last faces only. Counted in frames, not
 * time, so the work per frame does not depend on the frame rate (a slower machine does not spend a
 * larger share of its frames on full searches), and no frame pays for the whole search at once.
 */
export const SWEEP_FRAMES = 15;

/** The frames of a video's sweep cycle for `pieces` pieces of the full search. */
export function sweepCycle(pieces: number): number {
  return Math.max(SWEEP_FRAMES, pieces);
}

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

/**
 * Draws `from` of `image` into `to` of `ctx` at `contrast` (1: as it is; less: at that opacity over
 * mid-grey, which is contrast around mid-grey; a transparent source then shows grey).
 */
function drawAtContrast(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, image: CanvasImageSource, from: Box, to: Box, contrast: number): void {
  if (contrast < 1) {
    ctx.fillStyle = MID_GREY;
    ctx.fillRect(to.x, to.y, to.width, to.height);
    ctx.globalAlpha = contrast;
  }
  ctx.drawImage(image, from.x, from.y, from.width, from.height, to.x, to.y, to.width, to.height);
  ctx.globalAlpha = 1;
}

/** Black at `contrast` (see drawAtContrast). */
function blackAt(contrast: number): string {
  const v = Math.round(255 * 0.5 * (1 - contrast));
  return `rgb(${v},${v},${v})`;
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

/**
 * A face found: `box` clipped to the frame, `extent` the box its crop is framed on; `unconfirmed`, a
 * near miss (NEAR_MISS) the face verifier decides on.
 */
export interface FoundFace extends DetectedFace, Unconfirmed {
  /**
   * The box the face's crop is framed on: `box`, or for a face at the edge where the detector's
   * input ends, the box of a look past that edge (edgeLook), reaching past the frame.
   */
  extent: Box;
}

/** One detect(): the faces found (largest first) and the work it took (FrameWork's fields). */
export interface FaceSearch {
  faces: FoundFace[];
  search: FrameWork['search'];
  detectorPasses: number;
}

export class MediaPipeFaceDetector {
  private inputCanvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  private frameCanvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  /** Where the frame's luma map is drawn (read back, so a canvas of its own). */
  private lumaCanvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  /** The luma map of the frame of the detect() under way (lumaOf), made when first needed. */
  private luma: LumaMap | undefined;
  private closed = false;
  /** Passes of the detect() under way (run() counts them). */
  private passes = 0;

  private settings: DetectorSettings;

  private constructor(
    private readonly detector: FaceDetector,
    /** The graph of the tiles and closer looks (threshold CANDIDATE), when it differs from `detector`'s. */
    private finder: FaceDetector | undefined,
    private readonly config: FaceDetectorConfig,
    private readonly modelAssetBuffer: Uint8Array,
  ) {
    const { minConfidence, maxFaces, smallFaces } = config;
    this.settings = { minConfidence, maxFaces, smallFaces };
  }

  /** A MediaPipe face detection graph with `threshold`. */
  private static async graph(config: FaceDetectorConfig, modelAssetBuffer: Uint8Array, threshold: number): Promise<FaceDetector> {
    const base = folder(config.wasmBase);
    const binaryUrl = new URL(mediapipeFiles.binary, base).href;
    const binary = config.wasmBinary ? await blobUrlFor(config.wasmBinary) : undefined;
    try {
      // The SIMD build only, as ONNX Runtime needs SIMD too (FilesetResolver would probe for it).
      const fileset: WasmFileset = { wasmLoaderPath: new URL(mediapipeFiles.loader, base).href, wasmBinaryPath: binary ?? binaryUrl };
      return await quietlyAsync(() =>
        FaceDetector.createFromOptions(fileset, {
          baseOptions: { modelAssetBuffer, delegate: 'CPU' },
          runningMode: 'IMAGE',
          minDetectionConfidence: threshold,
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
  }

  static async create(config: FaceDetectorConfig, signal?: AbortSignal): Promise<MediaPipeFaceDetector> {
    requireWebGL();
    const modelAssetBuffer = await loadModel(config.model, signal);
    const detector = await MediaPipeFaceDetector.graph(config, modelAssetBuffer, config.minConfidence);
    let finder: FaceDetector | undefined;
    try {
      if (!signal?.aborted && needsFinder(config)) finder = await MediaPipeFaceDetector.graph(config, modelAssetBuffer, CANDIDATE);
    } catch (e) {
      detector.close();
      throw e;
    }
    if (signal?.aborted) {
      detector.close();
      finder?.close();
      throw new EmotionDetectorError('aborted', 'Face detector creation was aborted');
    }
    // The WASM binary (11 MB) is kept only for a 'tiny' engine, which may build its second graph again;
    // a later switch to 'tiny' has MediaPipe fetch the file from wasmBase instead.
    const kept: FaceDetectorConfig = config.smallFaces === 'tiny' ? config : { ...config, wasmBinary: undefined };
    const created = new MediaPipeFaceDetector(detector, finder, kept, modelAssetBuffer);
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
    if (needsFinder(next) && !this.finder) {
      this.finder = await MediaPipeFaceDetector.graph(this.config, this.modelAssetBuffer, CANDIDATE);
      if (this.closed) return void this.finder.close();
      this.warmUp();
    } else if (!needsFinder(next) && this.finder) {
      this.finder.close();
      this.finder = undefined;
    }
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
    const blank = this.canvas('frameCanvas', 128, 128);
    this.detect(blank, 128, 128);
    if (this.finder) this.run(blank, { x: 0, y: 0, scale: 1, width: 128, height: 128 }, this.finder);
  }

  /**
   * Faces in `image` (of size `width` x `height`), largest first, in source pixels. A frame of
   * size 0 (a video not ready yet) has none.
   *
   * Without `previous`, the full search: the whole frame, then (unless it holds a close-up) the
   * overlapping tiles for small faces (tiles.ts). A tile's find is taken as it is when it scores at
   * least 0.75 (and minConfidence) and is not cut by the tile's inner edge. At the default level
   * (`smallFaces` true) the coarse tiles (half the frame's longer side) are searched; only where
   * neither they nor the whole frame found a face with the tiles' confidence are the finer tiles (a
   * third and a sixth of the longer side) searched too, and an unsure find of any level (from
   * minConfidence, or cut by the tile's edge) gets closer looks (closerLook). At 'tiny', every level
   * is always searched, on a second
   * graph that reports finds from 0.3, each unsure one confirmed by closer looks.
   *
   * With `previous` (the faces of the previous frame of the same video), only a square around each
   * of them is searched, up to four of them in one pass (focus.ts), instead of a pass for the frame
   * plus one per tile; when the previous frame had none, the whole frame is searched instead, which
   * costs the same single pass. `sweep` (the frame's number in its video since its last full
   * search) adds that frame's piece of the full search spread over the frames (SWEEP_FRAMES): the
   * whole frame, a coarse tile, or a finer one (at the default level only while the frame's own
   * search finds no face with the tiles' confidence; at 'tiny' always). A face that enters the picture is found when the sweep reaches
   * the whole frame or its tile.
   */
  detect(image: DetectorImage, width: number, height: number, previous?: readonly Box[], sweep?: number): FaceSearch {
    if (this.closed) throw new EmotionDetectorError('disposed', 'The face detector was used after close()');
    this.passes = 0;
    this.luma = undefined;
    if (!(width > 0 && height > 0)) return { faces: [], search: 'none', detectorPasses: 0 };
    let search: FrameWork['search'];
    const drawable = image instanceof ImageData ? this.imageDataCanvas(image) : image;
    const { minConfidence, smallFaces, maxFaces } = this.settings;
    // Many tiles are many chances for a false positive: a new face found in a tile or region needs more confidence.
    const tileConfidence = Math.max(minConfidence, TILE_CONFIDENCE);
    const tiny = smallFaces === 'tiny';
    // The coarse level, and the finer ones (searched alike) as one list.
    const [coarse = [], ...finer] = smallFaces ? tileLevels(width, height) : [];
    const fine = finer.flat();
    const whole = { x: 0, y: 0, width, height };
    let faces: (DetectedFace & Unconfirmed)[];
    if (smallFaces && previous) {
      // A face seen in the last frame keeps the frame's own threshold; anything else is new.
      const seen = (f: DetectedFace) => previous.some((b) => iou(b, f.box) >= SEEN_IOU);
      // Around the last faces (a new face there needs the tiles' confidence), or, with none, the
      // whole frame in one pass, at the frame's own threshold.
      const found =
        previous.length > 0
          ? focusPasses(previous, width, height)
              .flatMap((p) => this.detectInPass(drawable, width, height, p, minConfidence))
              .filter((f) => f.score >= tileConfidence || seen(f))
          : this.detectIn(drawable, whole, minConfidence);
      search = previous.length > 0 ? 'focus' : 'frame';
      // This frame's piece of the spread full search: the whole frame (at the frame's own threshold,
      // as in the full search) or one tile; none past the pieces, and no tiles while a close-up shows.
      const closeUp = previous.some((b) => b.width >= CLOSE_UP * Math.min(width, height));
      // The finer tiles at 'tiny', or while this frame's search found no face surely (as in a still).
      const fineNow = tiny || !found.some((f) => f.score >= tileConfidence) ? fine : [];
      const pieces: (LevelTile | 'frame')[] = ['frame', ...(closeUp ? [] : [...coarse, ...fineNow])];
      const piece = sweep === undefined ? undefined : pieces[sweep % sweepCycle(pieces.length)];
      if (piece === 'frame') {
        if (previous.length > 0) found.push(...this.detectIn(drawable, whole, minConfidence));
        // As in a still, the frame's squares where no face was found surely (a big face at its edge).
        if (!found.some((f) => f.score >= tileConfidence)) found.push(...this.scanBigFaces(drawable, width, height));
        const known = mergeDetections(found);
        // As in a still, where no face was found surely: a dark frame seen again at LOW_CONTRAST, and
        // the frame's mirror image.
        const unsureOnly = !known.some((f) => f.score >= tileConfidence);
        const low = unsureOnly ? this.darkFrameAgain(drawable, width, height, tileConfidence) : undefined;
        const flipped = unsureOnly ? this.mirroredFrame(drawable, width, height) : undefined;
        faces = low ? this.confirm(drawable, width, height, mergeDetections([...known, ...low.sure]), low.unsure) : known;
        if (flipped) faces = this.confirm(drawable, width, height, faces, flipped, true);
      } else if (piece) {
        // A coarse tile at the default level takes its sure finds only; any other also confirms its unsure ones.
        const scan = this.scanTiles(drawable, width, height, [piece], tileConfidence, !coarse.includes(piece));
        const known = mergeDetections([...found, ...scan.sure]);
        faces = tiny || !coarse.includes(piece) ? this.confirm(drawable, width, height, known, scan.unsure) : known;
        if (scan.mirrored.length > 0) faces = this.confirm(drawable, width, height, faces, scan.mirrored, true);
      } else {
        faces = mergeDetections(found);
      }
    } else {
      search = 'frame';
      faces = this.detectIn(drawable, whole, minConfidence);
      const closeUp = faces.some((f) => f.box.width >= CLOSE_UP * Math.min(width, height) && f.score >= tileConfidence);
      if (smallFaces && !previous && !closeUp && coarse.length > 0) {
        search = 'tiles';
        // The coarse tiles. Where no face was found surely: the finer tiles (the dark ones at
        // LOW_CONTRAST), in a dark frame the whole frame again at LOW_CONTRAST (a big face on black;
        // its finds under the tiles' confidence get closer looks like the tiles'), and closer looks
        // at every unsure find. At the default level only then (an unsure whole-frame find, under
        // the tiles' confidence, is often a blob of the background, and must not hide a small face);
        // at 'tiny' the finer tiles and closer looks always.
        const scan = this.scanTiles(drawable, width, height, coarse, tileConfidence);
        faces = mergeDetections([...faces, ...scan.sure]);
        const unsureOnly = !faces.some((f) => f.score >= tileConfidence);
        if (unsureOnly) faces = mergeDetections([...faces, ...this.scanBigFaces(drawable, width, height)]);
        const low = unsureOnly ? this.darkFrameAgain(drawable, width, height, tileConfidence) : undefined;
        const flipped = unsureOnly ? this.mirroredFrame(drawable, width, height) : undefined;
        const more = (tiny || unsureOnly) && fine.length > 0 ? this.scanTiles(drawable, width, height, fine, tileConfidence, true) : undefined;
        const sure = [...(low?.sure ?? []), ...(more?.sure ?? [])];
        const unsure = [...(low?.unsure ?? []), ...(more || tiny ? scan.unsure : []), ...(more?.unsure ?? [])];
        faces = this.confirm(drawable, width, height, mergeDetections([...faces, ...sure]), unsure);
        // The frame's and the corner tiles' mirror images: their finds looked at mirrored.
        const mirrored = [...(flipped ?? []), ...(more?.mirrored ?? [])];
        if (mirrored.length > 0) faces = this.confirm(drawable, width, height, faces, mirrored, true);
      }
    }
    const found = faces
      .map((face) => ({ face, box: clipBox(face.box, width, height) }))
      .filter(({ box }) => box.width > 0 && box.height > 0)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)
      .slice(0, maxFaces)
      .map(({ face, box }) => (atInputEdge(face.box, width, height) ? this.edgeLook(drawable, width, height, face) : undefined) ?? { ...face, box, extent: box });
    return { faces: found, search, detectorPasses: this.passes };
  }

  /**
   * `face`, whose box reaches the frame's edge, with the box and keypoints of a look at EDGE_LOOK
   * times its box, mid-grey past the frame's edge (a dark surround at LOW_CONTRAST), where that look
   * finds it (from the frame's threshold); else undefined. Its score stays the search's. `box` is
   * clipped to the frame; `extent`, the look's box, may reach past it.
   */
  private edgeLook(image: Exclude<DetectorImage, ImageData>, width: number, height: number, face: DetectedFace): FoundFace | undefined {
    const region = centredSquare(face.box, EDGE_LOOK);
    const contrast = this.contrastFor(image, width, height, region);
    const look = bestOf(this.detectIn(image, region, this.settings.minConfidence, { frame: { width, height }, contrast, pastEdge: 'grey' }), face.box);
    if (!look) return undefined;
    const box = clipBox(look.box, width, height);
    return box.width > 0 && box.height > 0 ? { ...face, box, keypoints: look.keypoints, extent: look.box } : undefined;
  }

  /**
   * The finds of `tiles`: `sure`, those of at least `tileConfidence` that their tile holds whole;
   * `unsure`, any other (from the tiles' threshold, or cut by the tile's inner edge) no wider than
   * its level's `maxUnsure` of its tile (tiles.ts), for closer looks. A tile that touches the frame's
   * edge is searched `pastEdge` of its side past it (mid-grey there; the finest level's). With
   * `darkAtLowContrast` (the finer levels), a dark tile is searched at LOW_CONTRAST. `mirrored`: the
   * finds of the `mirrored` tiles' mirror images (the finest level's corners), for closer looks in
   * the mirror image; as mirroredFrame's, never taken as they are.
   */
  private scanTiles(
    image: Exclude<DetectorImage, ImageData>,
    width: number,
    height: number,
    tiles: readonly LevelTile[],
    tileConfidence: number,
    darkAtLowContrast = false,
  ): { sure: DetectedFace[]; unsure: DetectedFace[]; mirrored: DetectedFace[] } {
    const sure: DetectedFace[] = [];
    const unsure: DetectedFace[] = [];
    const mirrored: DetectedFace[] = [];
    const frame = { width, height };
    for (const tile of tiles) {
      const worthALook = (f: DetectedFace): boolean => f.box.width <= tile.maxUnsure * tile.width;
      // The finest level's tiles reach past the frame's edge (mid-grey there): TileOptions.pastEdge.
      const region = reachingPast(tile, tile.pastEdge);
      const contrast = darkAtLowContrast ? this.contrastFor(image, width, height, region) : 1;
      for (const f of this.detectIn(image, region, candidateThreshold(this.settings), { graph: this.finder, frame, contrast, pastEdge: 'grey' })) {
        const whole = withinInnerEdges(f.box, region, tile.frameEdges, EDGE_MARGIN * region.width);
        if (whole && f.score >= tileConfidence) sure.push(f);
        else if (worthALook(f)) unsure.push(f);
      }
      if (!tile.mirrored) continue;
      for (const f of this.detectIn(image, region, candidateThreshold(this.settings), { graph: this.finder, frame, contrast, pastEdge: 'grey', mirror: true })) {
        if (worthALook(f)) mirrored.push(f);
      }
    }
    return { sure, unsure, mirrored };
  }

  /**
   * The big faces that the frame's squares (frameSquares: finds of at least CLOSE_UP of the frame's
   * shorter side that a square holds whole) or the frame seen from further away (frameZoomedOut:
   * finds of at least ZOOMED_LEAST of it) show, from minConfidence like the whole frame's own, each
   * confirmed by more views: a look at SQUARE_LOOK times a square's find, centred on it; a look at
   * ZOOMED_LOOK times a zoomed-out find and the frame seen further still (ZOOM_OUT). The end squares
   * are searched a second time moved past the frame's ends (squaresPastEnds, PAST_ENDS), for a face
   * the frame cuts there, their finds confirmed by a second, wider look (PAST_CONFIRM). A find is a
   * face when the mean of its views' scores (0 where a view does not find it) reaches CONFIRM and
   * minConfidence. A real face holds there: it sits in the middle of the input, at half its size or
   * less, and where a view reaches past the frame's edge the face's cut edge meets mid-grey, not the
   * hard black edge that lowers BlazeFace's score. The blobs of a texture that a square reads as a
   * face at 0.5-0.7 seldom hold (15 such blobs in 60 face-free textured frames: a mean of 0.58 at
   * most; 269 of 295 finds of the sample photos' faces cut tightly at the frame's edge reach 0.62,
   * 257 with a black look). Every view is also searched in its mirror image, its finds looked at in
   * the mirror image (mirroredFrame): a face BlazeFace scores low as it is often scores well mirrored.
   */
  private scanBigFaces(image: Exclude<DetectorImage, ImageData>, width: number, height: number): DetectedFace[] {
    const { minConfidence } = this.settings;
    const short = Math.min(width, height);
    const frame = { width, height };
    const [near, far] = ZOOM_OUT;
    const views = [
      ...frameSquares(width, height).map((region) => ({ region, least: CLOSE_UP * short, looks: (f: DetectedFace) => [centredSquare(f.box, SQUARE_LOOK)], bar: CONFIRM })),
      ...squaresPastEnds(width, height, PAST_ENDS).map((region) => ({
        region,
        least: CLOSE_UP * short,
        looks: (f: DetectedFace) => [centredSquare(f.box, SQUARE_LOOK), centredSquare(f.box, WIDEST)],
        bar: PAST_CONFIRM,
      })),
      {
        region: frameZoomedOut(width, height, near),
        least: ZOOMED_LEAST * short,
        looks: (f: DetectedFace) => [centredSquare(f.box, ZOOMED_LOOK), frameZoomedOut(width, height, far)],
        bar: CONFIRM,
      },
    ];
    return views.flatMap(({ region, least, looks, bar }) => {
      const contrast = this.contrastFor(image, width, height, region);
      // Each view as it is and in its mirror image, its looks alike (see mirroredFrame).
      return [false, true].flatMap((mirror) => this.detectIn(image, region, minConfidence, { frame, contrast, pastEdge: 'grey', mirror }).flatMap((f) => {
        if (f.box.width < least || !withinInnerEdges(f.box, region, region.frameEdges, EDGE_MARGIN * region.width)) return [];
        const more = looks(f);
        let total = f.score;
        for (const look of more) {
          total += bestOf(this.detectIn(image, look, candidateThreshold(this.settings), { graph: this.finder, frame, contrast, pastEdge: 'grey', mirror }), f.box)?.score ?? 0;
        }
        const mean = total / (1 + more.length);
        return mean >= Math.max(minConfidence, bar) ? [{ ...f, score: mean }] : [];
      }));
    });
  }

  /**
   * A dark frame (mean luma under DARK_SURROUND) searched whole once more at LOW_CONTRAST: its finds
   * of `tileConfidence` or more as `sure`, the others (from minConfidence) as `unsure`, for closer
   * looks (blobs of a texture can score 0.5-0.65 there); undefined for a frame that is not dark.
   */
  private darkFrameAgain(image: Exclude<DetectorImage, ImageData>, width: number, height: number, tileConfidence: number): { sure: DetectedFace[]; unsure: DetectedFace[] } | undefined {
    const whole = { x: 0, y: 0, width, height };
    if (this.contrastFor(image, width, height, whole) === 1) return undefined;
    const finds = this.detectIn(image, whole, this.settings.minConfidence, { contrast: LOW_CONTRAST });
    return { sure: finds.filter((f) => f.score >= tileConfidence), unsure: finds.filter((f) => f.score < tileConfidence) };
  }

  /**
   * The whole frame's mirror image (flipped left to right), searched from minConfidence: finds for
   * closer looks in the mirror image (confirm with `mirror`). BlazeFace is not symmetric: a face it
   * scores under the threshold (a profile, a face cut tightly by its image or the frame) often scores
   * over it mirrored (models/eval/detector-scale.mjs, 2,000 Training faces: at half its input in its
   * black corner 98.3% score 0.5, 99.0% in the better of the two images; at 37.5% centred on grey,
   * the whole frame's view of a face half a 4:3 frame high, 99.0 and 99.6%). Its finds are never
   * taken as they are: taken from 0.6 (the rest looked at), a blob beside a face that fills a
   * textured frame (0.65) and a misplaced box over a face cut by the frame's edge (0.63) became boxes
   * in 1,200 Training frames of eval:pipeline; and looks at the plain image turn the faces away again
   * (they fail where the plain image did).
   */
  private mirroredFrame(image: Exclude<DetectorImage, ImageData>, width: number, height: number): DetectedFace[] {
    return this.detectIn(image, { x: 0, y: 0, width, height }, this.settings.minConfidence, { mirror: true });
  }

  /**
   * `known` (faces already found, merged) with the `unsure` finds that are not one of them and that
   * closer looks confirm (the best-scored first, at most MAX_CLOSER_LOOKS of them); with `mirror`,
   * finds of the mirror image, looked at in the mirror image. A find of the image as it is whose
   * looks saw it but fell short of the mean gets the looks again in the mirror image, with the
   * find's own score: small faces cut tightly by their image, turned or covered by a hand often
   * hold there (BlazeFace is not symmetric: mirroredFrame), and a blob that no look saw costs no
   * more passes (400 Training faces a tenth of the frame high: 98.3 -> 98.8% found centred on grey,
   * 99.0 -> 99.5% anywhere on a texture, the same false boxes, 3 more passes a frame there;
   * README.md models section, "Small faces seen mirrored").
   */
  private confirm(image: Exclude<DetectorImage, ImageData>, width: number, height: number, known: DetectedFace[], unsure: DetectedFace[], mirror = false): (DetectedFace & Unconfirmed)[] {
    const candidates = mergeDetections(unsure).filter((c) => !known.some((k) => sameFace(k.box, c.box)));
    const confirmed = candidates.slice(0, MAX_CLOSER_LOOKS).flatMap((c) => {
      const { face, seen } = this.closerLook(image, width, height, c, mirror);
      if (face?.unconfirmed && !mirror) {
        // A near miss: the looks again, mirrored, may confirm it (or see it better).
        const again = this.closerLook(image, width, height, c, true).face;
        return [again && (!again.unconfirmed || again.score > face.score) ? again : face];
      }
      if (face) return [face];
      // Seen as it is but not confirmed: the looks again, mirrored.
      return !mirror && seen ? (this.closerLook(image, width, height, c, true).face ?? []) : [];
    });
    return confirmed.length ? mergeDetections([...known, ...confirmed]) : known;
  }

  /**
   * `candidate` confirmed by the passes on squares around it (CLOSER_REACH): the first look's
   * detection (box and keypoints) with the mean score of the four views, or none when that mean
   * stays under CONFIRM or minConfidence (a look that does not find the face there scores 0). Where
   * the wide look's surround is dark, the looks see the frame at LOW_CONTRAST and, when the mean
   * falls short, DARK_REACH takes the wide look's place. With `mirror`, every look sees the frame's
   * mirror image (a find of mirroredFrame, or the second try of confirm). `seen`: whether any look
   * found the candidate (a look may stop the others early, when the mean can no longer be reached).
   * A mean short of that but at least NEAR_MISS gives the face flagged `unconfirmed`.
   */
  private closerLook(image: Exclude<DetectorImage, ImageData>, width: number, height: number, candidate: DetectedFace, mirror = false): { face?: DetectedFace & Unconfirmed; seen: boolean } {
    const views = CLOSER_REACH.length + 1;
    const need = Math.max(this.settings.minConfidence, CONFIRM) * views;
    const frame = { width, height };
    // The wide look's surround: dark in the scene (then every look at a lower contrast), or as the
    // wide look sees it, black past the frame's edge (then DARK_REACH may take its place).
    const [surround, hole] = [centredSquare(candidate.box, WIDEST), centredSquare(candidate.box, NEXT_WIDEST)];
    const contrast = this.contrastFor(image, width, height, surround, hole);
    const luma = this.lumaOf(image, width, height);
    const darkLook = luma.mean(surround, hole, 'black') < DARK_SURROUND;
    const pastEdge = contrast === 1 && luma.spread(surround, hole) < PLAIN_SURROUND ? 'grey' : 'black';
    const look = (reach: number) =>
      bestOf(this.detectIn(image, centredSquare(candidate.box, reach), candidateThreshold(this.settings), { graph: this.finder, frame, contrast, pastEdge, mirror }), candidate.box);
    let total = candidate.score;
    let seen: DetectedFace | undefined;
    let wide = 0;
    for (const [k, reach] of CLOSER_REACH.entries()) {
      // Not worth the pass when even perfect scores from here on could not reach a near miss (nor
      // with DARK_REACH in the wide look's place: as many views).
      if (total + (CLOSER_REACH.length - k) < NEAR_MISS * views) return { seen: !!seen };
      const best = look(reach);
      wide = best?.score ?? 0; // the last is the wide look's
      total += wide;
      seen ??= best;
    }
    if (!seen) return { seen: false };
    if (total >= need) return { face: { ...seen, score: total / views }, seen: true };
    const nearMiss = (sum: number) => (sum >= NEAR_MISS * views ? { face: { ...seen, score: sum / views, unconfirmed: true as const }, seen: true } : { seen: true });
    if (!darkLook) return nearMiss(total);
    const withDark = total - wide + (look(DARK_REACH)?.score ?? 0);
    return withDark >= need ? { face: { ...seen, score: withDark / views }, seen: true } : nearMiss(Math.max(total, withDark));
  }

  /** The frame's luma map (luma-map.ts), drawn and read back once per detect(). */
  private lumaOf(image: Exclude<DetectorImage, ImageData>, width: number, height: number): LumaMap {
    if (this.luma) return this.luma;
    const size = lumaMapSize(width, height);
    const canvas = this.canvas('lumaCanvas', size.width, size.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    ctx.imageSmoothingQuality = 'medium'; // shrunk 10x or more: a mean, not a few samples
    ctx.drawImage(image, 0, 0, width, height, 0, 0, size.width, size.height);
    this.luma = lumaMap(ctx.getImageData(0, 0, size.width, size.height), width, height);
    return this.luma;
  }

  /** The contrast at which to search `region`: LOW_CONTRAST where the scene there (`hole` left out) is dark. */
  private contrastFor(image: Exclude<DetectorImage, ImageData>, width: number, height: number, region: Box, hole?: Box): number {
    return this.lumaOf(image, width, height).mean(region, hole) < DARK_SURROUND ? LOW_CONTRAST : 1;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detector.close();
    this.finder?.close();
  }

  /** One pass of `graph` (the frame's, or the tiles' finder) on `input`, placed `at` in the frame. */
  private run(input: TexImageSource, at: Placement, graph: FaceDetector = this.detector): DetectedFace[] {
    let result;
    this.passes++;
    try {
      result = quietly(() => graph.detect(input));
    } catch (e) {
      // WebGL refuses pixels of a cross-origin image or video served without CORS.
      if (e instanceof DOMException && e.name === 'SecurityError') {
        // The canvas that drew it stays unreadable for good: the next frame gets fresh ones.
        this.inputCanvas = undefined;
        this.frameCanvas = undefined;
        this.lumaCanvas = undefined;
        throw new EmotionDetectorError('tainted-source', 'The frame is a cross-origin image or video without CORS; its pixels cannot be read', { cause: e });
      }
      throw new EmotionDetectorError('runtime-error', `Face detection failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return result.detections.flatMap((d) => toDetectedFace(d, at) ?? []);
  }

  /**
   * Detects in the `region` of `image`, drawn scaled down to at most MAX_INPUT pixels. With `frame`
   * (the image's size) the region may reach past the image: that part is `pastEdge` (black at
   * `contrast`, or mid-grey).
   */
  private detectIn(
    image: Exclude<DetectorImage, ImageData>,
    region: Box,
    minScore: number,
    {
      graph,
      frame,
      contrast = 1,
      pastEdge = 'black',
      mirror = false,
    }: { graph?: FaceDetector; frame?: { width: number; height: number }; contrast?: number; pastEdge?: 'black' | 'grey'; mirror?: boolean } = {},
  ): DetectedFace[] {
    const scale = Math.min(1, MAX_INPUT / Math.max(region.width, region.height));
    const w = Math.max(1, Math.round(region.width * scale));
    const h = Math.max(1, Math.round(region.height * scale));
    const canvas = this.canvas('inputCanvas', w, h);
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    ctx.clearRect(0, 0, w, h); // a transparent source must not show the previous tile through
    const inside = frame ? clipBox(region, frame.width, frame.height) : region;
    if (inside.width <= 0 || inside.height <= 0) return [];
    if (inside.width !== region.width || inside.height !== region.height) {
      // Beyond the frame: black, as MediaPipe pads a frame that is not square, or mid-grey.
      ctx.fillStyle = pastEdge === 'grey' ? MID_GREY : blackAt(contrast);
      ctx.fillRect(0, 0, w, h);
    }
    const sx = w / region.width;
    const sy = h / region.height;
    // The mirror image: flipped left to right, its finds flipped back (unmirrorFace).
    if (mirror) ctx.setTransform(-1, 0, 0, 1, w, 0);
    drawAtContrast(ctx, image, inside, { x: (inside.x - region.x) * sx, y: (inside.y - region.y) * sy, width: inside.width * sx, height: inside.height * sy }, contrast);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const finds = this.run(canvas, { x: region.x, y: region.y, scale: region.width / w, width: w, height: h }, graph).filter((f) => f.score >= minScore);
    return mirror ? finds.map((f) => unmirrorFace(f, region)) : finds;
  }

  /**
   * One focus pass: its cells drawn side by side into one mosaic of the detector's own input size
   * (so MediaPipe does not resample it again) and searched at once, each detection mapped back from
   * its cell to the frame.
   */
  private detectInPass(image: Exclude<DetectorImage, ImageData>, width: number, height: number, pass: FocusPass, minScore: number): DetectedFace[] {
    const cell = Math.floor(MOSAIC_SIDE / pass.grid);
    const side = cell * pass.grid;
    const canvas = this.canvas('inputCanvas', side, side);
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    ctx.clearRect(0, 0, side, side);
    const slots = pass.cells.map((source, i) => ({ source, at: { x: (i % pass.grid) * cell, y: Math.floor(i / pass.grid) * cell, width: cell, height: cell } }));
    for (const { source, at } of slots) {
      // Past 2x, shrinking with bilinear filtering alone would alias.
      ctx.imageSmoothingQuality = source.width > 2 * cell ? 'medium' : 'low';
      // A face found on a dark surround is followed as it was found: at LOW_CONTRAST.
      drawAtContrast(ctx, image, source, at, this.contrastFor(image, width, height, source));
    }
    ctx.imageSmoothingQuality = 'low';
    return this.run(canvas, { x: 0, y: 0, scale: 1, width: side, height: side }).flatMap((f) => {
      if (f.score < minScore) return [];
      const slot = slots.find(({ at }) => containsPoint(at, centre(f.box)));
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
  private canvas(slot: 'inputCanvas' | 'frameCanvas' | 'lumaCanvas', width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
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
