// A minimal PNG writer (8-bit RGB, no interlace) and a confusion-matrix heat map drawn with a
// 5x7 bitmap font, so the evaluation needs no image library.
import zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes width x height RGB pixels (Uint8Array, 3 bytes per pixel) as a PNG file. */
export function encodePng(width, height, rgb) {
  if (rgb.length !== width * height * 3) throw new Error('encodePng: pixel buffer size mismatch');
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// 5x7 glyphs, one 5-bit row per entry (MSB = leftmost pixel).
const GLYPHS = {
  0: [14, 17, 19, 21, 25, 17, 14], 1: [4, 12, 4, 4, 4, 4, 14], 2: [14, 17, 1, 2, 4, 8, 31],
  3: [30, 1, 1, 14, 1, 1, 30], 4: [2, 6, 10, 18, 31, 2, 2], 5: [31, 16, 30, 1, 1, 17, 14],
  6: [6, 8, 16, 30, 17, 17, 14], 7: [31, 1, 2, 4, 8, 8, 8], 8: [14, 17, 17, 14, 17, 17, 14],
  9: [14, 17, 17, 15, 1, 2, 12],
  A: [14, 17, 17, 31, 17, 17, 17], C: [14, 17, 16, 16, 16, 17, 14], D: [30, 17, 17, 17, 17, 17, 30],
  E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16], G: [14, 17, 16, 23, 17, 17, 15],
  H: [17, 17, 17, 31, 17, 17, 17], I: [14, 4, 4, 4, 4, 4, 14], L: [16, 16, 16, 16, 16, 16, 31],
  M: [17, 27, 21, 21, 17, 17, 17],
  N: [17, 25, 21, 19, 17, 17, 17], O: [14, 17, 17, 17, 17, 17, 14], P: [30, 17, 17, 30, 16, 16, 16],
  R: [30, 17, 17, 30, 20, 18, 17], S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4],
  U: [17, 17, 17, 17, 17, 17, 14], W: [17, 17, 17, 21, 21, 21, 10], ':': [0, 4, 4, 0, 4, 4, 0],
  '=': [0, 0, 31, 0, 31, 0, 0],
};

/** Width in pixels of `text` at `scale` (6 px per character incl. spacing, minus the last gap). */
export const textWidth = (text, scale) => (text.length * 6 - 1) * scale;

class Canvas {
  constructor(w, h) {
    this.w = w;
    this.h = h;
    this.px = new Uint8Array(w * h * 3).fill(255);
  }
  rect(x, y, w, h, [r, g, b]) {
    for (let yy = Math.max(0, y); yy < Math.min(this.h, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.w, x + w); xx++) this.px.set([r, g, b], (yy * this.w + xx) * 3);
    }
  }
  text(str, x, y, scale, colour) {
    for (const [i, ch] of [...str.toUpperCase()].entries()) {
      const g = GLYPHS[ch];
      if (!g) continue;
      for (let row = 0; row < 7; row++) {
        for (let col = 0; col < 5; col++) {
          if (g[row] & (16 >> col)) this.rect(x + (i * 6 + col) * scale, y + row * scale, scale, scale, colour);
        }
      }
    }
  }
}

const DARK = [33, 37, 41];
/** White -> deep blue. */
const shade = (t) => [255 - 247 * t, 255 - 207 * t, 255 - 148 * t].map(Math.round);

/**
 * Confusion matrix (rows = true class) as a PNG: cells shaded by the row fraction (recall),
 * counts written in each cell, 3-letter class names on both axes.
 */
export function confusionPng(confusion, classNames) {
  const k = confusion.length, cell = 48, left = 46, top = 26, bottom = 22;
  const cv = new Canvas(left + k * cell + 6, top + k * cell + bottom);
  const names = classNames.map((c) => c.slice(0, 3));
  for (let t = 0; t < k; t++) {
    const total = confusion[t].reduce((a, b) => a + b, 0) || 1;
    cv.text(names[t], 4, top + t * cell + (cell - 14) / 2, 2, DARK);
    cv.text(names[t], left + t * cell + (cell - textWidth(names[t], 2)) / 2, 6, 2, DARK);
    for (let p = 0; p < k; p++) {
      const frac = confusion[t][p] / total;
      const x = left + p * cell, y = top + t * cell;
      cv.rect(x, y, cell - 1, cell - 1, shade(frac));
      const s = String(confusion[t][p]);
      const scale = textWidth(s, 2) <= cell - 4 ? 2 : 1;
      cv.text(s, x + Math.floor((cell - 1 - textWidth(s, scale)) / 2), y + Math.floor((cell - 1 - 7 * scale) / 2), scale,
        frac > 0.45 ? [255, 255, 255] : DARK);
    }
  }
  cv.text('ROWS: TRUE   COLUMNS: PREDICTED', left, top + k * cell + 8, 1, DARK);
  return encodePng(cv.w, cv.h, cv.px);
}
