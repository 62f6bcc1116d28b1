// Builds a 4:2:0 .y4m video (Chromium's fake-camera format) from a photo, decoding it with the
// system Chromium so no image library is needed. A still photo with a slow pan, so frames differ.
import fs from 'node:fs';
import { launch } from '../../scripts/lib/chromium.mjs';

/**
 * @param {{ image: string, out: string, width: number, height: number, frames: number,
 *   crop?: { x: number, y: number, w: number, h: number } }} opts
 */
export async function makeY4m({ image, out, width, height, frames, crop }) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const dataUrl = `data:image/jpeg;base64,${fs.readFileSync(image).toString('base64')}`;
    const fd = fs.openSync(out, 'w');
    fs.writeSync(fd, `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
    for (let f = 0; f < frames; f++) {
      const b64 = await page.evaluate(
        async (src, width, height, crop, shift) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          const c = new OffscreenCanvas(width, height);
          const g = c.getContext('2d');
          const r = crop ?? { x: 0, y: 0, w: img.naturalWidth, h: img.naturalHeight };
          g.drawImage(img, r.x + shift, r.y, r.w, r.h, 0, 0, width, height);
          const { data } = g.getImageData(0, 0, width, height);
          // BT.601 full-range ("jpeg") RGB -> Y, Cb, Cr, chroma subsampled 2x2.
          const ySize = width * height;
          const cw = width >> 1, ch = height >> 1;
          const out = new Uint8Array(ySize + 2 * cw * ch);
          for (let i = 0; i < ySize; i++) {
            const p = i * 4;
            out[i] = Math.round(0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]);
          }
          for (let y = 0; y < ch; y++) {
            for (let x = 0; x < cw; x++) {
              let r = 0, gg = 0, b = 0;
              for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
                const p = ((2 * y + dy) * width + 2 * x + dx) * 4;
                r += data[p]; gg += data[p + 1]; b += data[p + 2];
              }
              r /= 4; gg /= 4; b /= 4;
              out[ySize + y * cw + x] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * gg + 0.5 * b)));
              out[ySize + cw * ch + y * cw + x] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * gg - 0.081312 * b)));
            }
          }
          let s = '';
          for (let i = 0; i < out.length; i += 0x8000) s += String.fromCharCode(...out.subarray(i, i + 0x8000));
          return btoa(s);
        },
        dataUrl, width, height, crop ?? null, Math.round(8 * Math.sin((f / frames) * 2 * Math.PI)),
      );
      fs.writeSync(fd, 'FRAME\n');
      fs.writeSync(fd, Buffer.from(b64, 'base64'));
    }
    fs.closeSync(fd);
  } finally {
    await browser.close();
  }
}
