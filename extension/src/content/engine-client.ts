/**
 * Embeds the engine (engine.html, an extension page) in an invisible iframe and talks to it over
 * a MessageChannel. The extension page runs WebAssembly under the extension's own CSP, in the
 * extension's process, so a page CSP without 'wasm-unsafe-eval' does not matter and inference
 * never runs on the page's main thread. A random nonce in the iframe URL (which the page cannot
 * read: the iframe sits in a closed shadow root) makes sure the engine only accepts our port.
 */
import browser from 'webextension-polyfill';
import type { EngineConfig, FrameIn, FrameOut, FrameTransport, FromEngine, ToEngine } from '../shared/engine-protocol.js';

export type EngineState = 'loading' | 'ready' | 'error';

interface Pending {
  resolve: (r: { frames: FrameOut[]; engineMs: number }) => void;
  reject: (e: Error) => void;
  onFrame: (f: FrameOut, engineMs: number) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Generous: compiling ~25 MB of WASM on a busy low-end machine has taken 30 s here. */
const START_TIMEOUT_MS = 120_000;
const DETECT_TIMEOUT_MS = 20_000;
const PROBE_TIMEOUT_MS = 3_000;

export class EngineClient {
  state: EngineState = 'loading';
  error = '';
  /** Load time the engine reported, ms. */
  loadMs = 0;
  /** How frames are sent; known once `ready` resolves. */
  transport: FrameTransport = 'bitmap';
  private readonly iframe: HTMLIFrameElement;
  private readonly channel = new MessageChannel();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly ready: Promise<void>;

  /** `transport`: 'pixels' skips the ImageBitmap probe (a setting; also how tests cover that path). */
  constructor(parent: ShadowRoot, config: EngineConfig, private readonly onState: () => void = () => {}, transport: FrameTransport | 'auto' = 'auto') {
    const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const src = browser.runtime.getURL('engine.html');
    this.iframe = document.createElement('iframe');
    this.iframe.src = `${src}#${nonce}`;
    // Rendered (not display:none) so the browser does not throttle it; 1 px and invisible.
    this.iframe.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;border:0;opacity:0;pointer-events:none;';
    this.iframe.setAttribute('aria-hidden', 'true');
    this.iframe.tabIndex = -1;
    const port = this.channel.port1;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`the engine did not start within ${START_TIMEOUT_MS / 1000} s`);
        reject(new Error(this.error));
      }, START_TIMEOUT_MS);
      port.onmessage = (ev: MessageEvent<FromEngine>) => {
        const m = ev.data;
        if (m.type === 'ready') {
          clearTimeout(timer);
          if (this.state === 'error') return;
          this.loadMs = m.loadMs;
          void this.pickTransport(transport).then(() => {
            this.state = 'ready';
            this.onState();
            resolve();
          });
        } else if (m.type === 'probe') {
          this.probeAnswer?.(m.ok);
        } else if (m.type === 'error') {
          clearTimeout(timer);
          this.fail(`${m.code}: ${m.message}`);
          reject(new Error(this.error));
        } else if (m.type === 'frame') {
          this.pending.get(m.id)?.onFrame(m.frame, m.engineMs);
        } else if (m.type === 'result' || m.type === 'result-error') {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          clearTimeout(p.timer);
          if (m.type === 'result') p.resolve({ frames: m.frames, engineMs: m.engineMs });
          else p.reject(new Error(m.message));
        }
      };
    });
    this.ready.catch(() => {});
    this.iframe.addEventListener('load', () => {
      const msg: ToEngine = { type: 'connect', nonce, config };
      this.iframe.contentWindow?.postMessage(msg, new URL(src).origin, [this.channel.port2]);
    }, { once: true });
    parent.append(this.iframe);
  }

  /**
   * Analyses one frame per video; the bitmaps are transferred (and closed by the engine).
   * `onFrame` sees each frame's result as soon as it is ready.
   */
  detect(frames: FrameIn[], onFrame: (f: FrameOut, engineMs: number) => void = () => {}): Promise<{ frames: FrameOut[]; engineMs: number }> {
    if (this.state !== 'ready') {
      frames.forEach((f) => (f.image instanceof ImageBitmap ? f.image.close() : undefined));
      return Promise.reject(new Error(`engine ${this.state}`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the engine did not answer in time'));
      }, DETECT_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, onFrame, timer });
      this.post({ type: 'detect', id, frames }, frames.map((f) => (f.image instanceof ImageBitmap ? f.image : f.image.data.buffer)));
    });
  }

  configure(config: EngineConfig): void {
    this.post({ type: 'configure', config });
  }

  forget(keys: number[]): void {
    if (keys.length) this.post({ type: 'forget', keys });
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('engine closed'));
    }
    this.pending.clear();
    this.channel.port1.close();
    this.iframe.remove();
  }

  private probeAnswer: ((ok: boolean) => void) | undefined;

  /** Sends a tiny ImageBitmap; if it does not arrive intact, frames go as pixels. */
  private async pickTransport(wanted: FrameTransport | 'auto'): Promise<void> {
    if (wanted !== 'auto') {
      this.transport = wanted;
      return;
    }
    const c = new OffscreenCanvas(2, 2);
    c.getContext('2d')?.fillRect(0, 0, 2, 2);
    const image = c.transferToImageBitmap();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      this.probeAnswer = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      try {
        this.post({ type: 'probe', image }, [image]);
      } catch {
        resolve(false);
      }
    });
    this.probeAnswer = undefined;
    this.transport = ok ? 'bitmap' : 'pixels';
  }

  private post(m: ToEngine, transfer: Transferable[] = []): void {
    this.channel.port1.postMessage(m, transfer);
  }

  private fail(message: string): void {
    this.state = 'error';
    this.error = message;
    this.onState();
  }
}
