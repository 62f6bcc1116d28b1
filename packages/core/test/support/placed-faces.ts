// The sample photos' people cut as FER2013 cuts faces and placed in 640x480 frames: how often the
// engine finds them (the corner-, edge-, fill- and mirror-faces tests).
import { expect } from '@open-wc/testing';
import type { EmotionDetector } from '../../src/index.js';
import { sampleFaces } from './engine.js';
import { ferLike, foundAt } from './frames.js';

const W = 640;
const H = 480;

/** A cut of a face (ferLike): its margin, or its margin and sideways shift. */
export type Cut = number | readonly [margin: number, shift: number];

/** Each face of the six sample photos (as `detector` finds them), cut in each of the ways `cuts` says (ferLike). */
export async function sampleCuts(detector: EmotionDetector, cuts: readonly Cut[]): Promise<HTMLCanvasElement[]> {
  return (await sampleFaces(detector)).flatMap(({ img, box }) => cuts.map((c) => (typeof c === 'number' ? ferLike(img, box, c) : ferLike(img, box, ...c))));
}

/**
 * Every cut drawn `size` px square at every place on every ground, each frame a still of its own
 * (`names`: each face's cuts, in order, as sampleCuts took them, for the misses' names):
 * how many frames there were and which missed the face (none of them may show more than one face).
 */
export async function findPlaced(
  detector: EmotionDetector,
  cuts: readonly HTMLCanvasElement[],
  names: readonly Cut[],
  size: number,
  places: Record<string, { x: number; y: number }>,
  grounds: Record<string, HTMLCanvasElement>,
): Promise<{ tries: number; missed: string[] }> {
  const missed: string[] = [];
  let tries = 0;
  for (const [ground, surround] of Object.entries(grounds)) {
    for (const [place, at] of Object.entries(places)) {
      for (const [i, cut] of cuts.entries()) {
        const frame = document.createElement('canvas');
        frame.width = W;
        frame.height = H;
        const g = frame.getContext('2d')!;
        g.drawImage(surround, 0, 0);
        g.drawImage(cut, at.x, at.y, size, size);
        const r = await detector.detect(frame);
        tries++;
        if (!foundAt(r.faces, at, size)) missed.push(`face ${Math.floor(i / names.length)} (${names[i % names.length]}) ${place} on ${ground}`);
        expect(r.faces.length, `face ${i}: one face in the frame`).to.be.at.most(1);
      }
    }
  }
  return { tries, missed };
}
