// @ts-check
/** A live line chart of the seven expression probabilities of one face, on a canvas. */

/** @typedef {{ t: number, values: Record<string, number> }} Sample */

export class Timeline {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {readonly string[]} emotions
   * @param {(emotion: string) => string} colorOf
   * @param {number} windowMs the time span shown
   */
  constructor(canvas, emotions, colorOf, windowMs = 20_000) {
    this.canvas = canvas;
    this.emotions = emotions;
    this.colorOf = colorOf;
    this.windowMs = windowMs;
    /** @type {Sample[]} */
    this.samples = [];
    /** Shown while there is nothing to draw. */
    this.placeholder = '';
    this.frame = 0;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** @param {number} t ms  @param {Record<string, number>} values */
  push(t, values) {
    this.samples.push({ t, values: { ...values } });
    const from = t - this.windowMs - 1000;
    while (this.samples.length && this.samples[0].t < from) this.samples.shift();
    this.requestDraw();
  }

  clear() {
    this.samples = [];
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.requestDraw();
  }

  requestDraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 30, r: 8, t: 8, b: 18 };
    const pw = w - pad.l - pad.r;
    const ph = h - pad.t - pad.b;
    const muted = getComputedStyle(canvas).getPropertyValue('--muted').trim() || '#64748b';
    const line = getComputedStyle(canvas).getPropertyValue('--line').trim() || '#e2e8f0';

    // Grid: 0, 50, 100 % and a tick every 5 s.
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = muted;
    ctx.strokeStyle = line;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    for (const v of [0, 0.5, 1]) {
      const y = Math.round(pad.t + ph * (1 - v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, y);
      ctx.lineTo(w - pad.r, y);
      ctx.stroke();
      ctx.fillText(`${v * 100}%`, 2, y);
    }
    const now = this.samples.length ? this.samples[this.samples.length - 1].t : 0;
    ctx.textBaseline = 'alphabetic';
    for (let s = 0; s <= this.windowMs / 1000; s += 5) {
      const x = pad.l + pw * (1 - (s * 1000) / this.windowMs);
      ctx.fillText(s === 0 ? 'now' : `-${s}s`, Math.min(x - 8, w - pad.r - 18), h - 4);
    }
    if (this.samples.length < 2) {
      if (this.placeholder) {
        ctx.textAlign = 'center';
        ctx.font = '12px system-ui, sans-serif';
        ctx.fillText(this.placeholder, pad.l + pw / 2, pad.t + ph * 0.75);
        ctx.textAlign = 'start';
      }
      return;
    }

    const xOf = (/** @type {number} */ t) => pad.l + pw * (1 - (now - t) / this.windowMs);
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l, 0, pw, h);
    ctx.clip();
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    // The currently leading emotion is drawn last and thicker.
    const last = this.samples[this.samples.length - 1].values;
    const order = [...this.emotions].sort((a, b) => last[a] - last[b]);
    for (const e of order) {
      ctx.strokeStyle = this.colorOf(e);
      ctx.lineWidth = e === order[order.length - 1] ? 2.5 : 1.5;
      ctx.globalAlpha = e === order[order.length - 1] ? 1 : 0.75;
      ctx.beginPath();
      this.samples.forEach((s, i) => {
        const x = xOf(s.t);
        const y = pad.t + ph * (1 - s.values[e]);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    ctx.restore();
  }
}
