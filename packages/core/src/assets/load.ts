/**
 * Fetches everything the engine needs before it can start (model card, emotion model, face
 * model, ONNX Runtime WASM) in parallel, reporting combined progress. The bytes are handed to the
 * runtimes directly, so they come from our cache and never from a second download.
 */
import { EmotionDetectorError } from '../errors.js';
import type { LoadProgress, ResolvedBackend } from '../types.js';
import { parseModelCard, type ModelCard } from '../classification/model-card.js';
import { fetchAsset, throwIfAborted } from './fetch-asset.js';
import { absolute, assetPaths, cardUrlFor, defaultAssetsBase, folder } from './locate.js';

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
  ortWasm: Uint8Array;
  /** MediaPipe loads its own WASM from here. */
  mediapipeBase: string;
  workerUrl: string;
}

/** Sums the progress of parallel downloads into one monotonic fraction. */
class Progress {
  private readonly state = new Map<string, { loaded: number; total: number }>();
  private fraction = 0;
  constructor(private readonly report?: (p: LoadProgress) => void) {}

  track(asset: string, url: string) {
    return (loaded: number, total: number) => {
      if (!this.report) return;
      this.state.set(asset, { loaded, total });
      let l = 0;
      let t = 0;
      for (const s of this.state.values()) {
        l += s.loaded;
        t += Math.max(s.total, s.loaded);
      }
      this.fraction = Math.max(this.fraction, t ? l / t : 0);
      try {
        this.report({ asset, url, loaded, total, fraction: this.fraction });
      } catch {
        // A throwing progress callback must not break loading.
      }
    };
  }
}

async function fetchJson(url: URL, asset: string, progress: Progress, signal?: AbortSignal): Promise<unknown> {
  const bytes = await fetchAsset(url.href, { kind: 'json', signal, onProgress: progress.track(asset, url.href) });
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new EmotionDetectorError('invalid-model', `${url.href} is not valid JSON`, { cause: e });
  }
}

/** The emotion model's card and ONNX URLs: the given model, or the default named in index.json. */
async function locateModel(base: URL, opts: AssetOptions, progress: Progress): Promise<{ card: ModelCard; modelUrl: URL }> {
  let cardUrl: URL;
  if (opts.model) {
    cardUrl = cardUrlFor(absolute(opts.model));
  } else {
    const indexUrl = new URL(assetPaths.emotionIndex, base);
    const index = (await fetchJson(indexUrl, 'model-index', progress, opts.signal)) as { default?: unknown };
    if (typeof index?.default !== 'string') throw new EmotionDetectorError('invalid-model', `${indexUrl.href} names no default model`);
    cardUrl = new URL(index.default, indexUrl);
  }
  const card = parseModelCard(await fetchJson(cardUrl, 'model-card', progress, opts.signal));
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

  const base = folder(opts.assetsBase ?? defaultAssetsBase());
  const progress = new Progress(opts.onProgress);
  const faceUrl = opts.faceModel ? absolute(opts.faceModel) : new URL(assetPaths.faceModel, base);
  const wasmUrl = new URL(assetPaths.ortWasm(backend), base);
  const get = (url: URL, asset: string, kind: 'onnx' | 'tflite' | 'wasm') =>
    fetchAsset(url.href, { kind, signal, onProgress: progress.track(asset, url.href) });

  // Start the big downloads at once; the model waits only for its (small) card.
  const located = guard(locateModel(base, { ...opts, signal }, progress));
  const all = Promise.allSettled([
    located,
    guard(located.then(({ modelUrl }) => get(modelUrl, 'emotion-model', 'onnx'))),
    guard(get(faceUrl, 'face-model', 'tflite')),
    guard(get(wasmUrl, 'ort-wasm', 'wasm')),
  ]);
  const settled = await all.finally(() => opts.signal?.removeEventListener('abort', stop));
  throwIfAborted(opts.signal);
  if (firstError !== undefined) throw firstError;
  const [{ card, modelUrl }, model, faceModel, ortWasm] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    { card: ModelCard; modelUrl: URL },
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
    ortWasm,
    mediapipeBase: new URL(assetPaths.mediapipe, base).href,
    workerUrl: new URL(assetPaths.worker, base).href,
  };
}
