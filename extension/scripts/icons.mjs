// Draws the toolbar icon (a face in a rounded square) as PNGs at build time, so no binary
// image has to live in the repository.
import zlib from 'node:zlib';

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** RGBA PNG of size x size. */
export function iconPng(size) {
  const px = Buffer.alloc(size * (size * 4 + 1));
  const S = 4; // supersampling per axis, for smooth edges
  for (let y = 0; y < size; y++) {
    px[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const [cr, cg, cb, ca] = sample((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(px)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Colour at (u, v) in [0,1]^2: blue rounded square, yellow face, dark eyes and smile.
function sample(u, v) {
  const inSquare = roundedRect(u, v, 0.04, 0.2);
  if (!inSquare) return [0, 0, 0, 0];
  const dx = u - 0.5, dy = v - 0.52;
  const face = dx * dx + dy * dy < 0.33 * 0.33;
  if (!face) return [26, 115, 232, 1];
  const eye = (ex) => (u - ex) ** 2 + (v - 0.44) ** 2 < 0.045 ** 2;
  const r = Math.hypot(dx, v - 0.5);
  const smile = v > 0.55 && r > 0.17 && r < 0.23 && Math.abs(dx) < 0.17;
  if (eye(0.39) || eye(0.61) || smile) return [32, 33, 36, 1];
  return [253, 216, 53, 1];
}

function roundedRect(u, v, m, rad) {
  const x = Math.min(Math.max(u, m + rad), 1 - m - rad);
  const y = Math.min(Math.max(v, m + rad), 1 - m - rad);
  return (u - x) ** 2 + (v - y) ** 2 <= rad * rad && u >= m && u <= 1 - m && v >= m && v <= 1 - m;
}
