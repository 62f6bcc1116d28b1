// The room-like ground drawn behind faces by the evaluations (eval:pipeline, eval:detector) and the
// detector's browser tests: soft blobs of colour (or grey) on a 16x12 grid, smoothly enlarged, with
// fine noise, like a room behind a person. One recipe, so that the tests' frames are the evaluations'.
import { random } from './random.mjs';

/** Paints the whole of `canvas` (a canvas element or an OffscreenCanvas) with room `seed`, in colour or grey; returns `canvas`. */
export function paintRoom(canvas, colour, seed) {
  const rnd = random(seed);
  const coarse = new OffscreenCanvas(16, 12);
  const cg = coarse.getContext('2d');
  const img = cg.createImageData(16, 12);
  for (let i = 0; i < 16 * 12; i++) {
    const g = 40 + rnd() * 180;
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = colour ? 40 + rnd() * 180 : g;
    img.data[i * 4 + 3] = 255;
  }
  cg.putImageData(img, 0, 0);
  const { width, height } = canvas;
  const g = canvas.getContext('2d');
  g.drawImage(coarse, 0, 0, width, height);
  const px = g.getImageData(0, 0, width, height);
  for (let i = 0; i < px.data.length; i += 4) {
    const n = (rnd() - 0.5) * 40;
    for (let c = 0; c < 3; c++) px.data[i + c] += n;
  }
  g.putImageData(px, 0, 0);
  return canvas;
}
