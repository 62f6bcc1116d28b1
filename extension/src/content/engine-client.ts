/**
 * Embeds the engine (engine.html, an extension page) in an invisible iframe and talks to it over
 * a MessageChannel with core's channel (`@emotion-detector/core/channel`: ids, replies, progress,
 * timeouts; a peer that stops answering fails it). The extension page runs WebAssembly under the
 * extension's own CSP, in the extension's process, so a page CSP without 'wasm-unsafe-eval' does
 * not matter and inference never runs on the page's main thread.
 *
 * The engine frame is admitted by a one-time ticket the background mints for this tab (see
 * shared/engine-protocol.ts): it goes in the frame's URL hash and in the `connect` message that
 * hands over the port. A refused ticket (too many engines) is an error state, said in the popup.
 */
import browser from 'webextension-polyfill';
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
  HeldQuery,
  ReleaseRequest,
  TicketReply,
  TicketRequest,
} from '../shared/engine-protocol.js';

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
  private iframe: HTMLIFrameElement | null = null;
  private ticket = '';
  private disposed = false;
  private readonly ports = new MessageChannel();
  private readonly channel: Channel<EngineRequest, object, EngineProgress>;
  private probeAnswer: ((ok: boolean) => void) | undefined;
  /** The settings to run with (the latest, also when changed while the engine loads). */
  private config: EngineConfig;
  /** The `start` request went out: later requests queue behind it on the engine's side. */
  private started = false;
  /** Pings waiting for their pong, by number. */
  private readonly pongs = new Map<number, () => void>();
  private pingSeq = 0;

  /** `transport`: 'pixels' skips the ImageBitmap probe (a setting; also how tests cover that path). */
  constructor(parent: ShadowRoot, config: EngineConfig, private readonly onState: () => void = () => {}, transport: FrameTransport | 'auto' = 'auto') {
    this.config = config;
    this.channel = new Channel(this.ports.port1, {
      peer: 'the engine',
      onEvent: (data) => {
        const e = data as EngineEvent | null;
        if (e?.type === 'probe') this.probeAnswer?.(e.ok);
        if (e?.type === 'pong') this.pongs.get(e.n)?.();
      },
      end: () => this.ports.port1.close(),
    });
    this.ready = this.start(parent, transport);
    this.ready.catch(() => {});
  }

  /** The background's answer to "do you still run this ticket's engine?" (it prunes tabs that do not). */
  private readonly onRuntimeMessage = (m: unknown): Promise<boolean> | undefined => {
    const q = m as HeldQuery | null;
    if (q?.type !== 'engine-held') return undefined;
    return Promise.resolve(!this.disposed && this.state !== 'error' && q.ticket === this.ticket);
  };

  /** Embeds the engine frame with its ticket and hands it the port once it loaded. */
  private embed(parent: ShadowRoot, ticket: string): void {
    const src = browser.runtime.getURL('engine.html');
    const iframe = document.createElement('iframe');
    // (Chromium: the frame's address is per session, use_dynamic_url; the document in it has the
    // extension's own origin.)
    const origin = src.startsWith('chrome-extension:') ? `chrome-extension://${browser.runtime.id}` : new URL(src).origin;
    // Credentialless: a frame of its own storage partition that a cross-origin-isolated page
    // (COEP require-corp or credentialless) may embed; a plain one it blocks (the extension page
    // cannot send CORP). The engine needs no cookies; its asset cache only lasts the session then.
    iframe.setAttribute('credentialless', '');
    iframe.src = `${src}#${ticket}`;
    // Rendered (not display:none) so the browser does not throttle it; 1 px and invisible.
    iframe.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;border:0;opacity:0;pointer-events:none;';
    iframe.setAttribute('aria-hidden', 'true');
    iframe.tabIndex = -1;
    iframe.addEventListener('load', () => {
      const msg: ConnectMessage = { type: 'connect', ticket };
      iframe.contentWindow?.postMessage(msg, origin, [this.ports.port2]);
    }, { once: true });
    parent.append(iframe);
    this.iframe = iframe;
  }

  private async start(parent: ShadowRoot, transport: FrameTransport | 'auto'): Promise<void> {
    try {
      const t = (await browser.runtime.sendMessage({ type: 'engine-ticket' } satisfies TicketRequest)) as TicketReply | undefined;
      if (!t?.ok) throw Object.assign(new Error(t?.message ?? 'no answer from the background'), { code: t?.code ?? 'not-allowed' });
      this.ticket = t.ticket;
      if (this.disposed) return this.release();
      browser.runtime.onMessage.addListener(this.onRuntimeMessage);
      this.embed(parent, t.ticket);
      this.started = true;
      const r = (await this.channel.request({ type: 'start', config: this.config }, { timeoutMs: INIT_TIMEOUT_MS })) as EngineStarted;
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

  /**
   * Resolves when the engine answers: in any state, loading included (the engine answers pings
   * as soon as it listens on its port, out of band of its requests). One sent before the engine
   * frame is connected waits in the port and is answered once the engine is admitted. Rejects
   * only when the channel is closed or failed; a dead engine simply never answers.
   */
  ping(): Promise<void> {
    if (this.disposed || this.channel.failed) return Promise.reject(new Error(`engine ${this.disposed ? 'disposed' : 'failed'}`));
    const n = ++this.pingSeq;
    return new Promise<void>((resolve, reject) => {
      this.pongs.set(n, () => {
        this.pongs.delete(n);
        resolve();
      });
      try {
        const ping: EngineNotice = { type: 'ping', n };
        this.channel.post(ping);
      } catch (e) {
        this.pongs.delete(n);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  configure(config: EngineConfig): void {
    this.config = config;
    if (this.started && !this.channel.failed) this.channel.request({ type: 'configure', config }).catch(() => undefined);
  }

  forget(keys: number[]): void {
    if (keys.length && this.started && !this.channel.failed) this.channel.request({ type: 'forget', keys }).catch(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pongs.clear();
    void this.channel.close();
    this.iframe?.remove();
    browser.runtime.onMessage.removeListener(this.onRuntimeMessage);
    this.release();
  }

  /** Tells the background this tab's engine is gone (so it counts no more against the cap). */
  private release(): void {
    if (!this.ticket) return;
    const m: ReleaseRequest = { type: 'engine-release', ticket: this.ticket };
    browser.runtime.sendMessage(m).catch(() => undefined);
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
    // The channel's failures are EmotionDetectorErrors (code and message); the content script
    // imports only the channel, not the whole engine, to say so.
    const code = (e as { code?: unknown })?.code;
    const message = String((e as Error)?.message ?? e);
    this.error = typeof code === 'string' ? `${code}: ${message}` : message;
    this.onState();
  }
}
