// Frames drawn for the detector's browser tests: room-like textures and faces cut as FER2013 cuts them.
import type { Box } from '../../src/types.js';

/** A seeded random number generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A room-like background: soft blobs of colour (or grey) with fine noise, as eval:pipeline draws them. */
export function background(seed: number, colour: boolean, width = 640, height = 480): HTMLCanvasElement {
  const rnd = random(seed);
  const coarse = document.createElement('canvas');
  coarse.width = 16;
  coarse.height = 12;
  const cg = coarse.getContext('2d')!;
  const img = cg.createImageData(16, 12);
  for (let i = 0; i < 16 * 12; i++) {
    const g = 40 + rnd() * 180;
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = colour ? 40 + rnd() * 180 : g;
    img.data[i * 4 + 3] = 255;
  }
  cg.putImageData(img, 0, 0);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const g = out.getContext('2d')!;
  g.drawImage(coarse, 0, 0, width, height);
  const px = g.getImageData(0, 0, width, height);
  for (let i = 0; i < px.data.length; i += 4) {
    const n = (rnd() - 0.5) * 40;
    for (let c = 0; c < 3; c++) px.data[i + c] += n;
  }
  g.putImageData(px, 0, 0);
  return out;
}

/** A frame of one colour. */
export function flat(colour: string, width = 640, height = 480): HTMLCanvasElement {
  const frame = document.createElement('canvas');
  frame.width = width;
  frame.height = height;
  const g = frame.getContext('2d')!;
  g.fillStyle = colour;
  g.fillRect(0, 0, width, height);
  return frame;
}

/**
 * `img`'s face at `box`, cut as a square `margin` times the box, as FER2013 keeps a face: grey, 48x48;
 * `shift` moves the square sideways by that share of the box's width (a turned face's cut).
 */
export function ferLike(img: HTMLImageElement, box: Box, margin: number, shift = 0): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 48;
  c.height = 48;
  const g = c.getContext('2d')!;
  g.filter = 'grayscale(1)';
  const s = Math.max(box.width, box.height) * margin;
  g.drawImage(img, box.x + box.width / 2 + shift * box.width - s / 2, box.y + box.height / 2 - s / 2, s, s, 0, 0, 48, 48);
  return c;
}

/** Whether one of `faces` has its box centre in the square of `side` at `at` (where a face was drawn). */
export function foundAt(faces: readonly { box: Box }[], at: { x: number; y: number }, side: number): boolean {
  return faces.some((f) => {
    const cx = f.box.x + f.box.width / 2;
    const cy = f.box.y + f.box.height / 2;
    return cx >= at.x && cx <= at.x + side && cy >= at.y && cy <= at.y + side;
  });
}

/** `image` flipped left to right, as a canvas of its size. */
export function mirrored(image: HTMLCanvasElement | HTMLImageElement | ImageBitmap): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = image.width;
  c.height = image.height;
  const g = c.getContext('2d')!;
  g.setTransform(-1, 0, 0, 1, c.width, 0);
  g.drawImage(image, 0, 0);
  return c;
}
