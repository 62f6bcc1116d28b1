/**
 * Downloads one asset with progress, a stall timeout and the caller's AbortSignal, and keeps a
 * copy in the Cache API so that the next start works offline. A cached copy is used when the
 * server confirms it is unchanged (same ETag / Last-Modified) or cannot be reached at all.
 */
import { abortError, EmotionDetectorError, throwIfAborted } from '../errors.js';
import { validateAsset, type AssetKind } from './validate.js';

/** Versioned so that a release with incompatible assets never reads an old cache. */
export const CACHE_NAME = 'emotion-detector-v1';
/** No byte for this long means the download is stuck. */
const STALL_TIMEOUT_MS = 30_000;
/** The freshness check of a cached copy must not slow an offline start down. */
const REVALIDATE_TIMEOUT_MS = 4_000;
const VALIDATOR = 'x-emotion-detector-validator';

export interface FetchAssetOptions {
  kind: AssetKind;
  signal?: AbortSignal;
  /** Bytes so far and total (0 when unknown). */
  onProgress?: (loaded: number, total: number) => void;
  timeoutMs?: number;
  /** Use the Cache API. Default true. */
  cache?: boolean;
}

/** A strong identity of the file's version, or '' when the server gives none. */
function validatorOf(res: Response): string {
  return res.headers.get('etag') ?? res.headers.get('last-modified') ?? '';
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE_NAME);
  } catch {
    return undefined; // e.g. an opaque origin or storage disabled: work without the cache
  }
}

/** Runs `fetch` under a timer that restarts with every `touch()`, and the caller's signal. */
function guardedFetch(url: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal) {
  const ctrl = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
  };
  const onAbort = () => ctrl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  touch();
  const done = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  const fail = (e: unknown): never => {
    done();
    if (signal?.aborted) throw abortError();
    if (e instanceof EmotionDetectorError) throw e;
    const why = timedOut ? `timed out after ${timeoutMs} ms without data` : String((e as Error)?.message ?? e);
    throw new EmotionDetectorError('asset-fetch-failed', `Could not fetch ${url}: ${why}`, { cause: e });
  };
  const response = fetch(url, { ...init, signal: ctrl.signal }).catch(fail);
  return { response, touch, done, fail };
}

async function readBody(res: Response, g: ReturnType<typeof guardedFetch>, onProgress?: FetchAssetOptions['onProgress']) {
  const total = Number(res.headers.get('content-length')) || 0;
  if (!res.body) return new Uint8Array(await res.arrayBuffer().catch(g.fail));
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.(0, total);
  for (;;) {
    const { done, value } = await reader.read().catch(g.fail);
    if (done) break;
    g.touch();
    chunks.push(value);
    loaded += value.byteLength;
    // Compressed transfers report the compressed length: never claim more than 100%.
    onProgress?.(loaded, Math.max(total, loaded));
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/** Is the cached copy still the server's version (or is the server unreachable)? */
async function cachedIsUsable(url: string, cached: Response, signal?: AbortSignal): Promise<boolean> {
  const stored = cached.headers.get(VALIDATOR) ?? '';
  const g = guardedFetch(url, { method: 'HEAD', cache: 'no-store' }, REVALIDATE_TIMEOUT_MS, signal);
  try {
    const head = await g.response;
    g.done();
    return head.ok && stored !== '' && validatorOf(head) === stored;
  } catch (e) {
    if (signal?.aborted) throw e;
    return true; // offline (or the server is down): the cached copy is the best we have
  }
}

/** Fetches `url` as bytes, validated as `kind`. Errors: 'asset-fetch-failed', 'invalid-model', 'aborted'. */
export async function fetchAsset(url: string, opts: FetchAssetOptions): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const cache = opts.cache === false ? undefined : await openCache();
  const cached = await cache?.match(url).catch(() => undefined);
  if (cached && (await cachedIsUsable(url, cached, signal))) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    try {
      validateAsset(bytes, opts.kind, url);
      onProgress?.(bytes.byteLength, bytes.byteLength);
      return bytes;
    } catch {
      await cache?.delete(url).catch(() => undefined); // a bad cached copy: fetch it again
    }
  }
  throwIfAborted(signal);
  const g = guardedFetch(url, { cache: 'no-cache' }, opts.timeoutMs ?? STALL_TIMEOUT_MS, signal);
  const res = await g.response;
  if (!res.ok) {
    g.done();
    throw new EmotionDetectorError('asset-fetch-failed', `Could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  }
  const bytes = await readBody(res, g, onProgress);
  g.done();
  validateAsset(bytes, opts.kind, url);
  if (cache) {
    const headers = { 'content-type': res.headers.get('content-type') ?? 'application/octet-stream', [VALIDATOR]: validatorOf(res) };
    // Storing can fail (quota, private mode); the engine works without it.
    await cache.put(url, new Response(bytes, { headers })).catch(() => undefined);
  }
  return bytes;
}
