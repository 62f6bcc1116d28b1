/**
 * Embeds the engine (engine.html, an extension page) in an invisible iframe and talks to it over
 * a MessageChannel with core's channel (`@emotion-detector/core/channel`: ids, replies, progress,
 * timeouts; a peer that stops answering fails it). The extension page runs WebAssembly under the
 * extension's own CSP, in the extension's process, so a page CSP without 'wasm-unsafe-eval' does
 * not matter and inference never runs on the page's main thread.
 */
import browser from 'webextension-polyfill';
import { isEmotionDetectorError } from '@emotion-detector/core';
import { Channel, DETECT_TIMEOUT_MS, INIT_TIMEOUT_MS } from '@emotion-detector/core/channel';
import type {
  ConnectMessage,
  EngineConfig,
  EngineEvent,
  EngineNotice,
  EngineProgress,
  EngineRequest,
  EngineResult,
  EngineStarted,
  FrameIn,
  FrameOut,
  FrameTransport,
} from '../shared/engine-protocol.js';
import { newTicket } from '../shared/engine-protocol.js';

export type EngineState = 'loading' | 'ready' | 'error';

const PROBE_TIMEOUT_MS = 3_000;

export class EngineClient {
  state: EngineState = 'loading';
  error = '';
  /** Load time the engine reported, ms. */
  loadMs = 0;
  /** How frames are sent; known once `ready` resolves. */
  transport: FrameTransport = 'bitmap';
  readonly ready: Promise<void>;
  private readonly iframe: HTMLIFrameElement;
  private readonly ports = new MessageChannel();
  private readonly channel: Channel<EngineRequest, object, EngineProgress>;
  private probeAnswer: ((ok: boolean) => void) | undefined;

  /** `transport`: 'pixels' skips the ImageBitmap probe (a setting; also how tests cover that path). */
  constructor(parent: ShadowRoot, config: EngineConfig, private readonly onState: () => void = () => {}, transport: FrameTransport | 'auto' = 'auto') {
    this.channel = new Channel(this.ports.port1, {
      peer: 'the engine',
      onEvent: (data) => {
        const e = data as EngineEvent | null;
        if (e?.type === 'probe') this.probeAnswer?.(e.ok);
      },
      end: () => this.ports.port1.close(),
    });
    const ticket = newTicket();
    const src = browser.runtime.getURL('engine.html');
    this.iframe = document.createElement('iframe');
    this.iframe.src = `${src}#${ticket}`;
    // Rendered (not display:none) so the browser does not throttle it; 1 px and invisible.
    this.iframe.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;border:0;opacity:0;pointer-events:none;';
    this.iframe.setAttribute('aria-hidden', 'true');
    this.iframe.tabIndex = -1;
    this.iframe.addEventListener('load', () => {
      const msg: ConnectMessage = { type: 'connect', ticket };
      this.iframe.contentWindow?.postMessage(msg, new URL(src).origin, [this.ports.port2]);
    }, { once: true });
    parent.append(this.iframe);
    this.ready = this.start(config, transport);
    this.ready.catch(() => {});
  }

  private async start(config: EngineConfig, transport: FrameTransport | 'auto'): Promise<void> {
    try {
      const r = (await this.channel.request({ type: 'start', config }, { timeoutMs: INIT_TIMEOUT_MS })) as EngineStarted;
      this.loadMs = r.loadMs;
      await this.pickTransport(transport);
      this.state = 'ready';
      this.onState();
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /**
   * Analyses one frame per video; the bitmaps are transferred (and closed by the engine).
   * `onFrame` sees each frame's result as soon as it is ready.
   */
  async detect(frames: FrameIn[], onFrame: (f: FrameOut, engineMs: number) => void = () => {}): Promise<EngineResult> {
    if (this.state !== 'ready') {
      frames.forEach((f) => (f.image instanceof ImageBitmap ? f.image.close() : undefined));
      throw new Error(`engine ${this.state}`);
    }
    try {
      return (await this.channel.request({ type: 'detect', frames }, {
        transfer: frames.map((f) => (f.image instanceof ImageBitmap ? f.image : f.image.data.buffer)),
        timeoutMs: DETECT_TIMEOUT_MS,
        onProgress: (p) => {
          if ('frame' in p) onFrame(p.frame, p.engineMs);
        },
      })) as EngineResult;
    } catch (e) {
      // A timeout or an unreadable answer fails the whole channel: the engine is gone.
      if (this.channel.failed) this.fail(e);
      throw e;
    }
  }

  configure(config: EngineConfig): void {
    if (this.state === 'ready') this.channel.request({ type: 'configure', config }).catch(() => undefined);
  }

  forget(keys: number[]): void {
    if (keys.length && this.state === 'ready') this.channel.request({ type: 'forget', keys }).catch(() => undefined);
  }

  dispose(): void {
    void this.channel.close();
    this.iframe.remove();
  }

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
        const probe: EngineNotice = { type: 'probe', image };
        this.channel.post(probe, [image]);
      } catch {
        resolve(false);
      }
    });
    this.probeAnswer = undefined;
    this.transport = ok ? 'bitmap' : 'pixels';
  }

  private fail(e: unknown): void {
    if (this.state === 'error') return;
    this.state = 'error';
    this.error = isEmotionDetectorError(e) ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e);
    this.onState();
  }
}
