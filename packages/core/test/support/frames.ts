// Frames drawn for the detector's browser tests: room-like textures and faces cut as FER2013 cuts them.
import type { Box } from '../../src/types.js';
import { random } from '../../../../models/eval/lib/random.mjs';
import { paintRoom } from '../../../../models/eval/lib/room.mjs';

/** A seeded random number generator (mulberry32; the evaluations' own). */
export { random };

/** A room-like background: soft blobs of colour (or grey) with fine noise, as eval:pipeline draws them (the same module). */
export function background(seed: number, colour: boolean, width = 640, height = 480): HTMLCanvasElement {
  return paintRoom(Object.assign(document.createElement('canvas'), { width, height }), colour, seed);
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
