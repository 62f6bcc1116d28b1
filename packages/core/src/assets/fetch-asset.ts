/**
 * Downloads one asset with progress, a stall timeout and the caller's AbortSignal, and keeps a
 * copy in the Cache API so that the next start works offline. A cached copy that is intact (its
 * SHA-256 as stored, and a plausible file of its kind) is used unless the server proves it has
 * another version (a HEAD answered 2xx with another ETag / Last-Modified) *and* that version
 * downloads and validates: a server that is gone, answers 5xx, refuses HEAD or serves a captive
 * portal's HTML page never stops a start that the cache can serve. A corrupt cached copy is
 * dropped and downloaded again. Without storage (no quota, private mode) it works uncached.
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
/** The SHA-256 (hex) of the cached bytes, written with them: a copy that no longer matches is corrupt. */
const DIGEST = 'x-emotion-detector-sha256';

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

/** SHA-256 of `bytes` in hex, or '' where SubtleCrypto is missing (an insecure context). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return '';
  const hash = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The cached copy's bytes, or undefined when it cannot be read or is not intact (then it is dropped). */
async function readCached(cache: Cache, url: string, cached: Response, kind: AssetKind): Promise<Uint8Array | undefined> {
  try {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    validateAsset(bytes, kind, url);
    const stored = cached.headers.get(DIGEST);
    if (stored && stored !== (await sha256(bytes))) throw new Error('digest mismatch');
    return bytes;
  } catch {
    await cache.delete(url).catch(() => undefined);
    return undefined;
  }
}

/**
 * Does the server have another version than the cached one? Only a 2xx HEAD with another
 * validator says so: no answer, an error status or a refused HEAD leave the cached copy in use.
 */
async function serverHasNewer(url: string, cached: Response, signal?: AbortSignal): Promise<boolean> {
  const stored = cached.headers.get(VALIDATOR) ?? '';
  const g = guardedFetch(url, { method: 'HEAD', cache: 'no-store' }, REVALIDATE_TIMEOUT_MS, signal);
  try {
    const head = await g.response;
    g.done();
    return head.ok && (stored === '' || validatorOf(head) !== stored);
  } catch (e) {
    if (signal?.aborted) throw e;
    return false; // offline (or the server is down): the cached copy is the best we have
  }
}

/** Downloads `url` and validates it as `kind`; stores it in `cache` when given. */
async function download(url: string, opts: FetchAssetOptions, cache: Cache | undefined): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
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
    const headers = {
      'content-type': res.headers.get('content-type') ?? 'application/octet-stream',
      [VALIDATOR]: validatorOf(res),
      [DIGEST]: await sha256(bytes),
    };
    // Storing can fail (quota, private mode); the engine works without it.
    await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => undefined);
  }
  return bytes;
}

/** Fetches `url` as bytes, validated as `kind`. Errors: 'asset-fetch-failed', 'invalid-model', 'aborted'. */
export async function fetchAsset(url: string, opts: FetchAssetOptions): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const cache = opts.cache === false ? undefined : await openCache();
  const cached = cache ? await cache.match(url).catch(() => undefined) : undefined;
  const kept = cached && cache ? await readCached(cache, url, cached, opts.kind) : undefined;
  if (!kept || !cached) return download(url, opts, cache);
  if (await serverHasNewer(url, cached, signal)) {
    try {
      return await download(url, opts, cache);
    } catch (e) {
      if (signal?.aborted) throw e;
      // The newer version did not arrive whole (an error page, a cut connection): keep ours.
    }
  }
  onProgress?.(kept.byteLength, kept.byteLength);
  return kept;
}
