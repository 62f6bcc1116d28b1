/**
 * Draws boxes, labels and bars over the videos, out of the page's reach:
 *
 * - The host is a plain `<div>` we create, with a CLOSED shadow root attached before it enters
 *   the page. A `div` is no custom element, so the page cannot pre-define it, run a constructor
 *   on it or reach it through `ElementInternals`; and as its root exists before the page can see
 *   the element, the page cannot attach one of its own first.
 * - Everything is painted on one `<canvas>` (aria-hidden) inside that root: there is no text node,
 *   so `window.find()`, text selection and the accessibility tree find no label.
 * - The host carries only its inline style (every property `!important`, which no page style
 *   sheet overrides) and `aria-hidden`; an edit of its attributes is undone. The engine frame
 *   (`EngineClient`) lives inside the same closed root, so its URL is in no page-reachable node.
 * - When the page removes the host, it is put back (at most every REATTACH_MS) and `onHostLost`
 *   says so: the engine frame inside it was unloaded with it.
 * - Labels have a time-to-live: one whose video got no fresh result for LABEL_TTL_MS is erased.
 *
 * Positions follow the videos every animation frame (scroll, resize, layout changes).
 */
import { EMOTIONS, EMOTION_COLORS, measure, placeBox, type Box, type Mirror } from '@emotion-detector/core/layout';
import type { DrawOptions } from '../shared/settings.js';
import type { FaceOut, FrameOut } from '../shared/engine-protocol.js';

/** A label is erased when its video had no fresh result for this long (ms). */
export const LABEL_TTL_MS = 2000;
/** The host is put back at most this often when the page keeps removing it (ms). */
export const REATTACH_MS = 500;
/** Attribute edits of the host are undone at most this often when the page keeps making them (ms). */
const RESTORE_MS = 100;
/** How often the host's presence is checked besides the mutation observer (a replaced document element, ms). */
const CHECK_MS = 1000;
/** Backing store scale: at most 2 device pixels per CSS pixel. */
const MAX_DPR = 2;

const HOST_STYLE = [
  'all: initial', 'display: block', 'position: fixed', 'inset: 0', 'width: 100vw', 'height: 100vh', 'margin: 0', 'padding: 0',
  'border: 0', 'pointer-events: none', 'z-index: 2147483647', 'visibility: visible', 'opacity: 1', 'transform: none',
  'filter: none', 'clip-path: none', 'mask: none', 'overflow: hidden', 'contain: strict', 'isolation: isolate',
].map((d) => `${d} !important`).join('; ');

const CSS = `
:host { all: initial !important; }
canvas { position: fixed; left: 0; top: 0; width: 100vw; height: 100vh; pointer-events: none; }
iframe { position: fixed; left: 0; top: 0; width: 1px; height: 1px; border: 0; opacity: 0; pointer-events: none; }
`;

const LABEL_FONT = '600 12px system-ui, sans-serif';
const BAR_FONT = '10px system-ui, sans-serif';
const LABEL_H = 18;
const BAR_ROW = 12;
const BARS_W = 90;

interface Entry {
  video: HTMLVideoElement;
  frame: FrameOut;
  mirror: Mirror;
  /** When the last result for this video arrived (performance.now()). */
  fresh: number;
}

/** One face as drawn, in CSS px of the viewport (what the tests read through DevTools). */
export interface DrawnFace {
  key: number;
  id: number;
  label: string;
  color: string;
  box: Box;
  labelShown: boolean;
  barsShown: boolean;
  boxShown: boolean;
  /** Age of the result it shows, ms. */
  ageMs: number;
}

type Painted = DrawnFace & { emotions: FaceOut['emotions'] };

export interface OverlaySnapshot {
  attached: boolean;
  error: string;
  reattached: number;
  /** Labels erased (time-to-live ran out, or cleared as the engine went down), newest last. */
  erased: { why: 'ttl' | 'cleared'; agoMs: number; dataAgeMs: number }[];
  faces: DrawnFace[];
}

export interface OverlayEvents {
  /** Faces came or went (the badge count changes). */
  onFacesChanged?: () => void;
  /** The page removed our host (and with it the engine frame); it has been or will be put back. */
  onHostLost?: () => void;
  /** The host is in the page (first time, or back after it was removed). */
  onAttached?: () => void;
}

export class Overlay {
  /** The closed root the engine frame goes into; null when none could be made (see `error`). */
  readonly root: ShadowRoot | null = null;
  /** Why the overlay cannot be shown, or ''. */
  error = '';
  /** How often the host was put back after the page removed it. */
  reattached = 0;
  /** Labels erased: why, when, and the age of the newest result among them (ms), newest last. */
  private readonly erased: { why: 'ttl' | 'cleared'; at: number; dataAgeMs: number }[] = [];
  private readonly host: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement | null = null;
  private readonly entries = new Map<number, Entry>();
  private draw: DrawOptions;
  private raf = 0;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private reattachTimer: ReturnType<typeof setTimeout> | undefined;
  private lastReattach = -Infinity;
  private restoreTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRestore = -Infinity;
  private readonly check: ReturnType<typeof setInterval>;
  private readonly observer: MutationObserver;
  private lastSig = '';
  private drawn: Painted[] = [];
  private disposed = false;

  constructor(draw: DrawOptions, private readonly events: OverlayEvents = {}) {
    this.draw = draw;
    this.host = document.createElement('div');
    this.host.setAttribute('style', HOST_STYLE);
    this.host.setAttribute('aria-hidden', 'true');
    try {
      // Attached while the host is not in the page: no page script can have seen it yet.
      this.root = this.host.attachShadow({ mode: 'closed' });
      const style = document.createElement('style');
      style.textContent = CSS;
      this.canvas = document.createElement('canvas');
      this.canvas.setAttribute('aria-hidden', 'true');
      this.canvas.width = 0;
      this.canvas.height = 0;
      this.root.append(style, this.canvas);
    } catch (e) {
      this.error = `the overlay could not be attached: ${String((e as Error)?.message ?? e)}`;
    }
    this.observer = new MutationObserver((records) => this.onMutations(records));
    this.check = setInterval(() => {
      if (!this.host.isConnected) this.lost();
    }, CHECK_MS);
    if (this.root) this.attach();
  }

  /** In the page now. */
  get connected(): boolean {
    return this.host.isConnected;
  }

  setDraw(draw: DrawOptions): void {
    this.draw = draw;
    this.lastSig = '';
    this.schedule();
  }

  /** Shows the latest analysis of a video. */
  show(key: number, video: HTMLVideoElement, frame: FrameOut, mirror: Mirror): void {
    const had = this.entries.get(key)?.frame.faces.length ?? 0;
    this.entries.set(key, { video, frame, mirror, fresh: performance.now() });
    this.lastSig = '';
    this.schedule();
    this.armExpiry();
    if (had !== frame.faces.length) this.events.onFacesChanged?.();
  }

  remove(key: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.lastSig = '';
    this.schedule();
    if (e.frame.faces.length) this.events.onFacesChanged?.();
  }

  /** Erases every label now (the engine stopped: its results are no longer current). */
  clear(): void {
    const any = this.faceCount() > 0;
    if (any) this.noteErased('cleared', [...this.entries.values()]);
    this.entries.clear();
    this.lastSig = '';
    this.paint();
    if (any) this.events.onFacesChanged?.();
  }

  faceCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.video.isConnected) n += e.frame.faces.length;
    return n;
  }

  /** What is drawn now, for the tests (read through DevTools; the page cannot reach it). */
  snapshot(): OverlaySnapshot {
    const now = performance.now();
    return {
      attached: this.host.isConnected,
      error: this.error,
      reattached: this.reattached,
      erased: this.erased.map((e) => ({ why: e.why, agoMs: Math.round(now - e.at), dataAgeMs: Math.round(e.dataAgeMs) })),
      faces: this.drawn.map(({ emotions: _, ...f }) => ({ ...f, ageMs: Math.round(now - (this.entries.get(f.key)?.fresh ?? now)) })),
    };
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.raf);
    clearTimeout(this.expiry);
    clearTimeout(this.reattachTimer);
    clearTimeout(this.restoreTimer);
    clearInterval(this.check);
    this.observer.disconnect();
    this.entries.clear();
    this.drawn = [];
    if (this.canvas) this.canvas.width = this.canvas.height = 0;
    this.host.remove();
  }

  private attach(): boolean {
    const parent = document.documentElement;
    if (!parent) {
      this.error = 'the overlay could not be attached: the page has no document element';
      return false;
    }
    try {
      parent.append(this.host);
    } catch (e) {
      this.error = `the overlay could not be attached: ${String((e as Error)?.message ?? e)}`;
      return false;
    }
    if (this.error.startsWith('the overlay could not be attached: the page has no')) this.error = '';
    this.observer.disconnect();
    // Our host leaving the document element, or its attributes being changed.
    this.observer.observe(parent, { childList: true });
    this.observer.observe(this.host, { attributes: true });
    this.lastSig = '';
    this.schedule();
    this.events.onAttached?.();
    return true;
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.disposed) return;
    if (records.some((r) => r.type === 'attributes')) {
      // At once, unless the page fights back: then at most every RESTORE_MS, never a busy loop.
      const wait = this.lastRestore + RESTORE_MS - performance.now();
      if (wait <= 0) this.restoreAttributes();
      else this.restoreTimer ??= setTimeout(() => this.restoreAttributes(), wait);
    }
    if (!this.host.isConnected) this.lost();
  }

  /** Only our style and aria-hidden, as we set them. */
  private restoreAttributes(): void {
    clearTimeout(this.restoreTimer);
    this.restoreTimer = undefined;
    this.lastRestore = performance.now();
    for (const name of this.host.getAttributeNames()) if (name !== 'style' && name !== 'aria-hidden') this.host.removeAttribute(name);
    if (this.host.getAttribute('style') !== HOST_STYLE) this.host.setAttribute('style', HOST_STYLE);
    if (this.host.getAttribute('aria-hidden') !== 'true') this.host.setAttribute('aria-hidden', 'true');
    // Our own writes queue records too; take them now so they do not come back as a mutation.
    this.observer.takeRecords();
  }

  /** The page removed the host: say so once, and put it back (rate-limited). */
  private lost(): void {
    if (this.disposed || !this.root || this.reattachTimer !== undefined) return;
    this.events.onHostLost?.();
    const wait = Math.max(0, this.lastReattach + REATTACH_MS - performance.now());
    this.reattachTimer = setTimeout(() => {
      this.reattachTimer = undefined;
      if (this.disposed || this.host.isConnected) return;
      this.lastReattach = performance.now();
      if (this.attach()) this.reattached++;
    }, wait);
  }

  private schedule(): void {
    if (!this.raf && !this.disposed) this.raf = requestAnimationFrame(() => this.paint());
  }

  /** Wakes the painter when the oldest result runs out, even if nothing else changes. */
  private armExpiry(): void {
    clearTimeout(this.expiry);
    let oldest = Infinity;
    for (const e of this.entries.values()) oldest = Math.min(oldest, e.fresh);
    if (oldest === Infinity) return;
    this.expiry = setTimeout(() => this.paint(), Math.max(0, oldest + LABEL_TTL_MS - performance.now()) + 20);
  }

  /** Redraws when a result, a setting or a video's place changed; runs every frame while something is shown. */
  private paint(): void {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    if (this.disposed || !this.canvas) return;
    const now = performance.now();
    const expired: Entry[] = [];
    for (const [key, e] of this.entries) {
      if (!e.video.isConnected) this.entries.delete(key);
      else if (now - e.fresh > LABEL_TTL_MS) {
        this.entries.delete(key);
        if (e.frame.faces.length) expired.push(e);
      }
    }
    if (expired.length) this.noteErased('ttl', expired);
    const faces: Painted[] = [];
    for (const [key, e] of this.entries) {
      const layout = measure(e.video, { mirror: e.mirror });
      if (!layout) continue;
      for (const f of e.frame.faces) {
        const box = placeBox(f.box, e.frame, layout);
        if (box) faces.push(this.describe(key, f, box));
      }
    }
    const vw = innerWidth;
    const vh = innerHeight;
    const dpr = Math.min(devicePixelRatio || 1, MAX_DPR);
    const sig = `${vw}x${vh}@${dpr}|${JSON.stringify(this.draw)}|${faces.map((f) => `${f.key}.${f.id}:${f.label}:${f.box.x},${f.box.y},${f.box.width},${f.box.height}`).join(';')}`;
    if (sig !== this.lastSig) {
      this.lastSig = sig;
      this.render(faces, vw, vh, dpr);
    }
    this.drawn = faces;
    if (this.entries.size) {
      this.schedule();
      this.armExpiry();
    }
    if (expired.length) this.events.onFacesChanged?.();
  }

  private noteErased(why: 'ttl' | 'cleared', entries: Entry[]): void {
    const now = performance.now();
    const newest = Math.max(...entries.map((e) => e.fresh));
    this.erased.push({ why, at: now, dataAgeMs: now - newest });
    if (this.erased.length > 20) this.erased.shift();
  }

  private describe(key: number, f: FaceOut, box: Box): Painted {
    return {
      key,
      id: f.id,
      label: `${f.dominant} ${Math.round((f.emotions[f.dominant] ?? 0) * 100)}%`,
      color: EMOTION_COLORS[f.dominant] ?? '#ffffff',
      box,
      labelShown: this.draw.labels,
      barsShown: this.draw.bars,
      boxShown: this.draw.boxes,
      ageMs: 0,
      emotions: f.emotions,
    };
  }

  private render(faces: Painted[], vw: number, vh: number, dpr: number): void {
    const c = this.canvas!;
    const visible = faces.some((f) => f.boxShown || f.labelShown || f.barsShown);
    if (!visible) {
      // Nothing to show: no backing store either.
      if (c.width || c.height) c.width = c.height = 0;
      return;
    }
    const w = Math.round(vw * dpr);
    const h = Math.round(vh * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, vw, vh);
    for (const f of faces) {
      // Whole pixels: crisp lines.
      const x = Math.round(f.box.x);
      const y = Math.round(f.box.y);
      const width = Math.round(f.box.x + f.box.width) - x;
      const height = Math.round(f.box.y + f.box.height) - y;
      if (f.boxShown) {
        ctx.strokeStyle = f.color;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.roundRect(x + 1, y + 1, Math.max(0, width - 2), Math.max(0, height - 2), 4);
        ctx.stroke();
      }
      if (f.labelShown) {
        ctx.font = LABEL_FONT;
        const tw = ctx.measureText(f.label).width + 10;
        // Above the box, or below it when there is no room above.
        const ly = y < LABEL_H + 2 ? y + height + 2 : y - LABEL_H - 2;
        ctx.fillStyle = f.color;
        ctx.beginPath();
        ctx.roundRect(x, ly, tw, LABEL_H, 3);
        ctx.fill();
        ctx.fillStyle = '#000';
        ctx.textBaseline = 'middle';
        ctx.fillText(f.label, x + 5, ly + LABEL_H / 2 + 0.5);
      }
      if (f.barsShown) {
        const { emotions } = f;
        const bx = x + width + 3;
        ctx.fillStyle = 'rgba(0,0,0,.6)';
        ctx.beginPath();
        ctx.roundRect(bx, y, BARS_W, EMOTIONS.length * BAR_ROW + 6, 3);
        ctx.fill();
        ctx.font = BAR_FONT;
        ctx.textBaseline = 'middle';
        EMOTIONS.forEach((emo, i) => {
          const ry = y + 3 + i * BAR_ROW;
          ctx.fillStyle = '#fff';
          ctx.fillText(emo, bx + 3, ry + BAR_ROW / 2, 40);
          ctx.fillStyle = EMOTION_COLORS[emo];
          ctx.fillRect(bx + 46, ry + 3, Math.round((emotions[emo] ?? 0) * 40), 6);
        });
      }
    }
  }
}
