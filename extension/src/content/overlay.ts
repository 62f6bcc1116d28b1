/**
 * Draws boxes, labels and bars over the videos. Everything lives in one fixed, click-through
 * layer inside a CLOSED shadow root, so the page can neither restyle it nor read the results.
 * Positions follow the videos every animation frame (scroll, resize, layout changes).
 */
import { EMOTIONS, EMOTION_COLORS as COLORS, measure, placeBox, type Box, type Mirror } from '@emotion-detector/core/layout';
import type { DrawOptions } from '../shared/settings.js';
import type { FaceOut, FrameOut } from '../shared/engine-protocol.js';

const CSS = `
:host { all: initial; }
.layer { position: fixed; inset: 0; pointer-events: none; z-index: 2147483647; overflow: hidden; contain: strict; }
.face { position: fixed; box-sizing: border-box; border: 2px solid var(--c); border-radius: 4px; }
.face.nobox { border-color: transparent; }
.label { position: absolute; left: -2px; bottom: 100%; margin-bottom: 2px; padding: 1px 5px; border-radius: 3px;
  font: 600 12px/16px system-ui, sans-serif; color: #000; background: var(--c); white-space: nowrap; }
.face.low .label { top: 100%; bottom: auto; margin: 2px 0 0; }
.bars { position: absolute; left: 100%; top: -2px; margin-left: 3px; padding: 3px; width: 84px; border-radius: 3px;
  background: rgba(0,0,0,.6); font: 10px/12px system-ui, sans-serif; color: #fff; }
.bars div { display: flex; align-items: center; gap: 3px; }
.bars span { width: 40px; overflow: hidden; }
.bars i { display: block; height: 6px; background: var(--c); }
`;

interface Entry {
  video: HTMLVideoElement;
  frame: FrameOut;
  mirror: Mirror;
  nodes: Map<number, HTMLDivElement>;
  lastKey: string;
}

export class Overlay {
  readonly root: ShadowRoot;
  private readonly host: HTMLElement;
  private readonly layer: HTMLDivElement;
  private readonly entries = new Map<number, Entry>();
  private draw: DrawOptions;
  private raf = 0;

  /** `onRemoved` hears when a video's faces go (the badge count changes). */
  constructor(draw: DrawOptions, private readonly onRemoved: () => void = () => {}) {
    this.draw = draw;
    this.host = document.createElement('emotion-detector-overlay');
    this.root = this.host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = CSS;
    this.layer = document.createElement('div');
    this.layer.className = 'layer';
    this.root.append(style, this.layer);
    document.documentElement.append(this.host);
  }

  setDraw(draw: DrawOptions): void {
    this.draw = draw;
    for (const e of this.entries.values()) {
      this.syncNodes(e);
      e.lastKey = '';
    }
    this.schedule();
  }

  /** Shows the latest analysis of a video. */
  show(key: number, video: HTMLVideoElement, frame: FrameOut, mirror: Mirror): void {
    const e = this.entries.get(key) ?? { video, frame, mirror, nodes: new Map(), lastKey: '' };
    e.frame = frame;
    e.mirror = mirror;
    e.lastKey = '';
    this.entries.set(key, e);
    this.syncNodes(e);
    this.schedule();
  }

  remove(key: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.nodes.forEach((n) => n.remove());
    this.entries.delete(key);
    if (e.frame.faces.length) this.onRemoved();
  }

  /** False once the page removed our layer (and with it the engine frame). */
  get connected(): boolean {
    return this.host.isConnected;
  }

  faceCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.video.isConnected) n += e.frame.faces.length;
    return n;
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.entries.clear();
    this.host.remove();
  }

  private schedule(): void {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.position());
  }

  /** Keeps one node per face, updating text and bars; positions are done in position(). */
  private syncNodes(e: Entry): void {
    const seen = new Set<number>();
    for (const f of e.frame.faces) {
      seen.add(f.id);
      let n = e.nodes.get(f.id);
      if (!n) {
        n = this.createFaceNode();
        e.nodes.set(f.id, n);
        this.layer.append(n);
      }
      this.fillFaceNode(n, f);
    }
    for (const [id, n] of e.nodes) {
      if (!seen.has(id)) {
        n.remove();
        e.nodes.delete(id);
      }
    }
  }

  private createFaceNode(): HTMLDivElement {
    const n = document.createElement('div');
    n.className = 'face';
    const label = document.createElement('div');
    label.className = 'label';
    const bars = document.createElement('div');
    bars.className = 'bars';
    for (const emo of EMOTIONS) {
      const row = document.createElement('div');
      const name = document.createElement('span');
      name.textContent = emo;
      const bar = document.createElement('i');
      bar.style.setProperty('--c', COLORS[emo]);
      row.append(name, bar);
      bars.append(row);
    }
    n.append(label, bars);
    return n;
  }

  private fillFaceNode(n: HTMLDivElement, f: FaceOut): void {
    n.style.setProperty('--c', COLORS[f.dominant] ?? '#fff');
    n.classList.toggle('nobox', !this.draw.boxes);
    const [label, bars] = n.children as unknown as [HTMLDivElement, HTMLDivElement];
    label.hidden = !this.draw.labels;
    label.textContent = `${f.dominant} ${Math.round(f.emotions[f.dominant] * 100)}%`;
    bars.hidden = !this.draw.bars;
    if (this.draw.bars) {
      EMOTIONS.forEach((emo, i) => {
        const bar = bars.children[i]?.lastElementChild as HTMLElement | null;
        if (bar) bar.style.width = `${Math.round(f.emotions[emo] * 44)}px`;
      });
    }
    n.hidden = !this.draw.boxes && !this.draw.labels && !this.draw.bars;
  }

  /** Glues the face nodes to their videos; runs every frame while something is shown. */
  private position(): void {
    this.raf = 0;
    let any = false;
    for (const [key, e] of this.entries) {
      if (!e.video.isConnected) {
        this.remove(key);
        continue;
      }
      const layout = measure(e.video, { mirror: e.mirror });
      const sig = layout ? `${layout.content.x},${layout.content.y},${layout.content.width},${layout.content.height}` : 'hidden';
      any = any || e.frame.faces.length > 0;
      if (sig === e.lastKey) continue;
      e.lastKey = sig;
      for (const f of e.frame.faces) {
        const n = e.nodes.get(f.id);
        if (!n) continue;
        const r: Box | null = layout ? placeBox(f.box, e.frame, layout) : null;
        n.style.display = r ? '' : 'none';
        if (!r) continue;
        n.style.transform = `translate(${r.x}px, ${r.y}px)`;
        n.style.width = `${r.width}px`;
        n.style.height = `${r.height}px`;
        n.style.left = '0';
        n.style.top = '0';
        // Flip the label below the box when there is no room above it.
        n.classList.toggle('low', r.y < 20);
      }
    }
    if (any) this.schedule();
  }
}
