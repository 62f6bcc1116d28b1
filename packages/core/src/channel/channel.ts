/**
 * Requests and replies over anything that posts messages (a Worker, a MessagePort, a worker's own
 * global scope): each request gets an id, its reply settles it, a peer that fails or stops
 * answering fails every pending and later request with a typed error instead of leaving it
 * waiting. `serve()` is the answering side.
 *
 * On the wire: a request is `{ id, type, ...fields }`; its reply `{ id, ok: true, ...fields }` or
 * `{ id, ok: false, error: { code, message } }`; a progress note on the way `{ id, progress }`.
 * Anything else the peer sends (its own events) goes to `onEvent`.
 */
import { EmotionDetectorError, type EmotionDetectorErrorCode } from '../errors.js';

/** Model and runtime start-up, which can include compiling shaders on a slow GPU (ms). */
export const INIT_TIMEOUT_MS = 120_000;
/** One frame, where the caller gives no limit of its own; far above any real frame time (ms). */
export const DETECT_TIMEOUT_MS = 20_000;
/**
 * How much longer than the detector's own bound (detectTimeoutMs) a worker channel waits for one
 * request: the detector's bound must come first, so that its caller gets 'timeout' (the frame
 * queue's) rather than 'worker-failed' (the channel's). The channel's limit still ends a worker
 * that stays hung afterwards (ms).
 */
export const REQUEST_MARGIN_MS = 5_000;

/** The worker channels' limit for one request of a detector whose frames are bounded by `detectTimeoutMs`. */
export function requestTimeoutFor(detectTimeoutMs: number): number {
  return detectTimeoutMs + REQUEST_MARGIN_MS;
}
/** A dispose request before the peer is ended anyway (ms). */
const CLOSE_TIMEOUT_MS = 5_000;

/** What a channel needs of a Worker, a MessagePort or a worker's global scope. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onmessageerror?: ((event: MessageEvent) => void) | null;
}

/** An error as it crosses the boundary (EmotionDetectorError.toJSON()). */
export interface SerializedError {
  code: EmotionDetectorErrorCode;
  message: string;
}

/** A request as sent: the caller's message and the id the channel gave it. */
export type Numbered<T> = T & { id: number };
/** A reply as sent. */
export type ReplyMessage<R> = ({ id: number; ok: true } & R) | { id: number; ok: false; error: SerializedError };

export interface ChannelOptions {
  /** The peer as error messages name it. Default 'the worker'. */
  peer?: string;
  /**
   * A request that times out means the peer hung: the whole channel fails (default). With false,
   * only that request rejects, with code 'timeout'.
   */
  timeoutFails?: boolean;
  /** Messages that answer no request: the peer's own events. */
  onEvent?: (data: unknown) => void;
  /** Ends the peer once the channel fails or closes (e.g. `worker.terminate()`, `port.close()`). */
  end?: () => void;
}

export interface RequestOptions<P> {
  /** Moved, not copied, to the peer. */
  transfer?: Transferable[];
  /** Default DETECT_TIMEOUT_MS; a progress note restarts it. */
  timeoutMs?: number;
  onProgress?: (progress: P) => void;
}

interface Pending {
  resolve: (reply: object) => void;
  reject: (e: EmotionDetectorError) => void;
  onProgress: ((p: never) => void) | undefined;
  restart: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The buffers of these byte arrays, each once: they move to the peer without a copy. */
export function buffersOf(...arrays: Uint8Array[]): ArrayBuffer[] {
  return arrays.map((a) => a.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
}

/**
 * The client side. `Req`: the requests (each with a string `type`); `Rep`: the fields of a
 * successful reply; `P`: a progress note.
 */
export class Channel<Req extends { type: string }, Rep extends object = object, P = never> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: EmotionDetectorError | undefined;
  private ended = false;
  private readonly peer: string;

  constructor(
    private readonly endpoint: MessageEndpoint,
    private readonly options: ChannelOptions = {},
  ) {
    this.peer = options.peer ?? 'the worker';
    endpoint.onmessage = (e: MessageEvent) => this.receive(e.data);
    endpoint.onmessageerror = () => this.fail(`A message from ${this.peer} could not be read`);
  }

  /** Why the peer can no longer answer, once it cannot. */
  get failed(): EmotionDetectorError | undefined {
    return this.failure;
  }

  request(msg: Req, options: RequestOptions<P> = {}): Promise<Rep> {
    if (this.failure) return Promise.reject(this.failure);
    const { transfer = [], timeoutMs = DETECT_TIMEOUT_MS, onProgress } = options;
    const id = this.nextId++;
    return new Promise<Rep>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (r: object) => void, reject, onProgress: onProgress as Pending['onProgress'], restart: () => undefined, timer: undefined };
      p.restart = () => {
        clearTimeout(p.timer);
        p.timer = setTimeout(() => this.timedOut(id, msg.type, timeoutMs), timeoutMs);
      };
      p.restart();
      this.pending.set(id, p);
      try {
        this.endpoint.postMessage({ ...msg, id }, transfer);
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(new EmotionDetectorError('worker-failed', `Could not post to ${this.peer}: ${String(e)}`, { cause: e }));
      }
    });
  }

  /** A message that gets no reply (a notice). Throws 'worker-failed' once the channel has failed. */
  post(msg: object, transfer: Transferable[] = []): void {
    if (this.failure) throw this.failure;
    this.endpoint.postMessage(msg, transfer);
  }

  /** The peer is gone (or hung): rejects everything pending and later with 'worker-failed'. */
  fail(reason: string | EmotionDetectorError): void {
    this.failure ??= typeof reason === 'string' ? new EmotionDetectorError('worker-failed', reason) : reason;
    this.rejectAll(this.failure);
    this.end();
  }

  /**
   * Asks the peer to release what it holds (`dispose`, when `disposeRequest` is given), then ends
   * it; later requests reject with 'disposed'.
   */
  async close(disposeRequest?: Req): Promise<void> {
    if (disposeRequest && !this.failure) await this.request(disposeRequest, { timeoutMs: CLOSE_TIMEOUT_MS }).catch(() => undefined);
    this.failure ??= new EmotionDetectorError('disposed', `The channel to ${this.peer} was closed`);
    this.rejectAll(this.failure);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.endpoint.onmessage = null;
    this.options.end?.();
  }

  private rejectAll(error: EmotionDetectorError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  private timedOut(id: number, type: string, timeoutMs: number): void {
    const message = `${this.peer} did not answer "${type}" within ${timeoutMs / 1000} s`;
    if (this.options.timeoutFails ?? true) return this.fail(message.charAt(0).toUpperCase() + message.slice(1));
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.reject(new EmotionDetectorError('timeout', message));
  }

  private receive(data: unknown): void {
    const m = data as { id?: unknown; ok?: unknown; progress?: unknown; error?: SerializedError } | null;
    const p = typeof m?.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!m || !p || (typeof m.ok !== 'boolean' && !('progress' in m))) {
      this.options.onEvent?.(data);
      return;
    }
    if (typeof m.ok !== 'boolean') {
      p.restart();
      p.onProgress?.(m.progress as never);
      return;
    }
    this.pending.delete(m.id as number);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m);
    else p.reject(EmotionDetectorError.fromJSON(m.error ?? { code: 'runtime-error', message: 'no error given' }));
  }
}

/**
 * Starts the worker script at `url` (a classic script: MediaPipe needs importScripts) with a
 * channel to it; a script error fails the channel, closing it ends the worker.
 */
export function openWorker<Req extends { type: string }, Rep extends object = object, P = never>(
  url: string,
  name: string,
  options: Omit<ChannelOptions, 'end'> = {},
): Channel<Req, Rep, P> {
  let worker: Worker;
  try {
    worker = new Worker(url, { name });
  } catch (e) {
    throw new EmotionDetectorError('worker-failed', `Could not start the worker ${url}: ${String(e)}`, { cause: e });
  }
  const channel = new Channel<Req, Rep, P>(worker, { ...options, end: () => worker.terminate() });
  worker.onerror = (e) => {
    e.preventDefault();
    channel.fail(`The worker stopped: ${e.message || 'script error (is worker.js served from assetsBase?)'}`);
  };
  return channel;
}

/** Any thrown value as it crosses the boundary. */
export function serializeError(e: unknown): SerializedError {
  return e instanceof EmotionDetectorError ? e.toJSON() : { code: 'runtime-error', message: String((e as Error)?.message ?? e) };
}

/**
 * The answering side: each request `{ id, type, ... }` arriving at `endpoint` is handed to
 * `handle`, whose result (or error) goes back as its reply. `progress` sends a note on the way.
 * Requests are handled one after another, in arrival order; anything without a numeric id and a
 * string type goes to `onOther`.
 */
export function serve<Req extends { type: string }, Rep extends object = object, P = never>(
  endpoint: MessageEndpoint,
  handle: (msg: Numbered<Req>, progress: (p: P) => void) => Promise<Rep>,
  onOther?: (data: unknown) => void,
): void {
  let queue: Promise<unknown> = Promise.resolve();
  endpoint.onmessage = (e: MessageEvent) => {
    const msg = e.data as Numbered<Req> | null;
    if (!msg || typeof msg.id !== 'number' || typeof msg.type !== 'string') return void onOther?.(e.data);
    const post = (reply: object) => {
      try {
        endpoint.postMessage(reply, []);
      } catch (err) {
        endpoint.postMessage({ id: msg.id, ok: false, error: serializeError(err) }, []);
      }
    };
    queue = queue
      .then(() => handle(msg, (progress) => post({ id: msg.id, progress })))
      .then(
        (reply) => post({ ...reply, id: msg.id, ok: true }),
        (err: unknown) => post({ id: msg.id, ok: false, error: serializeError(err) }),
      );
  };
}
