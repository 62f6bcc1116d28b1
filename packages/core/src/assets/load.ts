/**
 * Fetches everything the engine needs before it can start (model card, emotion model, face
 * model, face verifier, ONNX Runtime WASM, MediaPipe WASM) in parallel, reporting combined progress. The bytes
 * are handed to the runtimes directly, so they come from our cache and never from a second
 * download. (MediaPipe's small loader script is the one file it still loads itself.)
 */
import { EmotionDetectorError, throwIfAborted } from '../errors.js';
import type { LoadProgress, ResolvedBackend } from '../types.js';
import { parseModelCard, type ModelCard } from '../model-card.js';
import { fetchAsset } from './fetch-asset.js';
import type { AssetKind } from './validate.js';
import { absolute, assetPaths, assetsBaseHint, cardUrlFor, resolveAssetsBase } from './locate.js';

export interface AssetOptions {
  assetsBase?: string | URL;
  model?: string | URL;
  faceModel?: string | URL;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadedAssets {
  base: string;
  card: ModelCard;
  modelUrl: string;
  model: Uint8Array;
  faceModel: Uint8Array;
  /** The face verifier (verification/face-verifier.ts), from the assets folder. */
  faceVerifier: Uint8Array;
  faceVerifierUrl: string;
  ortWasm: Uint8Array;
  /** MediaPipe's `vision_wasm_internal.wasm`. */
  mediapipeWasm: Uint8Array;
  /** The MediaPipe fileset folder: MediaPipe loads its loader script from here. */
  mediapipeBase: string;
  workerUrl: string;
}

/** The files whose sizes make up the bulk of a load (the JSON files are a few KB). */
const BIG_ASSETS = ['emotion-model', 'face-model', 'face-verifier', 'ort-wasm', 'mediapipe-wasm'];

interface AssetState {
  loaded: number;
  total: number;
  /** The total is the real size: the server said so before the first byte, or the file is complete. */
  sized: boolean;
}

/**
 * Sums the progress of parallel downloads into one monotonic fraction. A big file that has not
 * told its size yet counts as big as the biggest one that has (and the fraction does not move
 * before one has), so a small file finished first is not reported as most of the load.
 */
class Progress {
  private readonly state = new Map<string, AssetState>();
  private fraction = 0;
  /** The fraction in the last report. */
  private reported = 0;
  constructor(private readonly report?: (p: LoadProgress) => void) {}

  /** Downloads `url` with fetchAsset, reporting its bytes as `asset`. */
  async fetch(url: string, asset: string, kind: AssetKind, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const bytes = await fetchAsset(url, {
      kind,
      signal,
      // The size is known from the first call (no byte yet) when the server gives one, or from a
      // call that has it all (a cached copy).
      onProgress: (loaded, total) =>
        this.update(asset, url, { loaded, total, sized: this.state.get(asset)?.sized || (total > 0 && (loaded === 0 || loaded === total)) }),
    });
    this.update(asset, url, { loaded: bytes.byteLength, total: bytes.byteLength, sized: true });
    return bytes;
  }

  private update(asset: string, url: string, next: AssetState): void {
    if (!this.report) return;
    const prev = this.state.get(asset);
    this.state.set(asset, next);
    let l = 0;
    let t = 0;
    let guess = 0;
    for (const [name, s] of this.state) {
      l += s.loaded;
      t += Math.max(s.total, s.loaded);
      if (s.sized && BIG_ASSETS.includes(name)) guess = Math.max(guess, s.total);
    }
    for (const name of BIG_ASSETS) {
      const s = this.state.get(name);
      if (!s?.sized) t += Math.max(guess - (s ? Math.max(s.total, s.loaded) : 0), 0);
    }
    if (guess > 0) this.fraction = Math.max(this.fraction, t ? Math.min(l / t, 1) : 0);
    // The completion of a streamed file repeats its last report: say nothing unless it changed something.
    const fraction = this.fraction;
    if (prev && prev.loaded === next.loaded && prev.total === next.total && fraction === this.reported) return;
    this.reported = fraction;
    try {
      this.report({ asset, url, loaded: next.loaded, total: next.total, fraction });
    } catch {
      // A throwing progress callback must not break loading.
    }
  }
}

async function fetchJson(url: URL, asset: string, progress: Progress, signal?: AbortSignal): Promise<unknown> {
  const bytes = await progress.fetch(url.href, asset, 'json', signal);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new EmotionDetectorError('invalid-model', `${url.href} is not valid JSON`, { cause: e });
  }
}

/**
 * A missing file (HTTP error, network error) or a wrong one (an HTML page: a server's SPA
 * fallback) gets the hint of the option that chose its URL, so the message says what to change.
 */
function hinted<T>(work: Promise<T>, hint: string): Promise<T> {
  return work.catch((e: unknown) => {
    if (e instanceof EmotionDetectorError && (e.code === 'asset-fetch-failed' || e.code === 'invalid-model')) {
      throw new EmotionDetectorError(e.code, `${e.message}. ${hint}`, { cause: e });
    }
    throw e;
  });
}
const MODEL_HINT = 'The URL comes from the model option (attribute model-src on <emotion-detector>).';
const FACE_MODEL_HINT = 'The URL comes from the faceModel option.';

/** The emotion model's card and ONNX URLs: the given model, or the default named in index.json. */
async function locateModel(base: URL, baseHint: string, opts: AssetOptions, progress: Progress): Promise<{ card: ModelCard; modelUrl: URL }> {
  let cardUrl: URL;
  if (opts.model) {
    cardUrl = cardUrlFor(absolute(opts.model));
  } else {
    const indexUrl = new URL(assetPaths.emotionIndex, base);
    const index = (await hinted(fetchJson(indexUrl, 'model-index', progress, opts.signal), baseHint)) as { default?: unknown };
    if (typeof index?.default !== 'string') throw new EmotionDetectorError('invalid-model', `${indexUrl.href} names no default model`);
    cardUrl = new URL(index.default, indexUrl);
  }
  const card = parseModelCard(await hinted(fetchJson(cardUrl, 'model-card', progress, opts.signal), opts.model ? MODEL_HINT : baseHint));
  return { card, modelUrl: opts.model ? absolute(opts.model) : new URL(card.file, cardUrl) };
}

export async function loadAssets(opts: AssetOptions, backend: ResolvedBackend): Promise<LoadedAssets> {
  throwIfAborted(opts.signal);
  // One failure stops the other downloads at once (no 20 MB kept loading for nothing).
  const ctrl = new AbortController();
  const stop = () => ctrl.abort();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const signal = ctrl.signal;
  let firstError: unknown;
  const guard = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      firstError ??= e;
      ctrl.abort();
      throw e;
    });

  const { base, source } = resolveAssetsBase(opts.assetsBase);
  const baseHint = assetsBaseHint(base, source);
  const progress = new Progress(opts.onProgress);
  const faceUrl = opts.faceModel ? absolute(opts.faceModel) : new URL(assetPaths.faceModel, base);
  const verifierUrl = new URL(assetPaths.faceVerifier, base);
  const wasmUrl = new URL(assetPaths.ortWasm(backend), base);
  const mediapipeWasmUrl = new URL(assetPaths.mediapipeWasm, base);
  const get = (url: URL, asset: string, kind: AssetKind, hint: string) => hinted(progress.fetch(url.href, asset, kind, signal), hint);

  // Start the big downloads at once; the model waits only for its (small) card.
  const located = guard(locateModel(base, baseHint, { ...opts, signal }, progress));
  const all = Promise.allSettled([
    located,
    guard(located.then(({ modelUrl }) => get(modelUrl, 'emotion-model', 'onnx', opts.model ? MODEL_HINT : baseHint))),
    guard(get(faceUrl, 'face-model', 'tflite', opts.faceModel ? FACE_MODEL_HINT : baseHint)),
    guard(get(verifierUrl, 'face-verifier', 'onnx', baseHint)),
    guard(get(wasmUrl, 'ort-wasm', 'wasm', baseHint)),
    guard(get(mediapipeWasmUrl, 'mediapipe-wasm', 'wasm', baseHint)),
  ]);
  const settled = await all.finally(() => opts.signal?.removeEventListener('abort', stop));
  throwIfAborted(opts.signal);
  if (firstError !== undefined) throw firstError;
  const [{ card, modelUrl }, model, faceModel, faceVerifier, ortWasm, mediapipeWasm] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    { card: ModelCard; modelUrl: URL },
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  return {
    base: base.href,
    card,
    modelUrl: modelUrl.href,
    model,
    faceModel,
    faceVerifier,
    faceVerifierUrl: verifierUrl.href,
    ortWasm,
    mediapipeWasm,
    mediapipeBase: new URL(assetPaths.mediapipe, base).href,
    workerUrl: new URL(assetPaths.worker, base).href,
  };
}
