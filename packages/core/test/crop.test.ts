// The cropper pads where a face's crop reaches past the frame as training pads a face moved past
// its image's border (models/training/augment.py: grid_sample, padding_mode="border"): the frame's
// edge pixels repeated outwards, never black.
import { expect } from '@open-wc/testing';
import { FaceCropper } from '../src/classification/crop.js';
import type { CropGeometry } from '../src/geometry/box.js';

const W = 200;
const H = 150;

/** A smooth colour pattern: every pixel differs from black and from its far neighbours. */
function pattern(x: number, y: number): [number, number, number] {
  return [128 + 100 * Math.sin(x / 15), 128 + 100 * Math.cos(y / 11), 90 + 0.4 * (x + y)];
}

function frame(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d')!;
  const img = g.createImageData(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = pattern(x + 0.5, y + 0.5);
      img.data.set([...p.map(Math.round), 255], (y * W + x) * 4);
    }
  }
  g.putImageData(img, 0, 0);
  return c;
}

/**
 * What training's sampler gives at crop pixel (i, j): the source point under it (the cropper's
 * mapping: canvas = R(-angle) (p - c) k + size/2), bilinear, coordinates clamped to the frame.
 */
function reference(g: CropGeometry, size: number, i: number, j: number): [number, number, number] {
  const k = g.side / size;
  const u = (i + 0.5 - size / 2) * k;
  const v = (j + 0.5 - size / 2) * k;
  const x = g.cx + Math.cos(g.angle) * u - Math.sin(g.angle) * v;
  const y = g.cy + Math.sin(g.angle) * u + Math.cos(g.angle) * v;
  // Pixel centres at +0.5; outside, the nearest edge pixel's centre.
  return pattern(Math.min(W - 0.5, Math.max(0.5, x)), Math.min(H - 0.5, Math.max(0.5, y)));
}

/** Mean and largest difference (per channel value) between the crop and the reference, over the crop's pixels outside the frame. */
function compare(g: CropGeometry, size = 96): { mean: number; max: number; outside: number } {
  const { data } = new FaceCropper(size).crop(frame(), g);
  let sum = 0, max = 0, outside = 0;
  const k = g.side / size;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const u = (i + 0.5 - size / 2) * k;
      const v = (j + 0.5 - size / 2) * k;
      const x = g.cx + Math.cos(g.angle) * u - Math.sin(g.angle) * v;
      const y = g.cy + Math.sin(g.angle) * u + Math.cos(g.angle) * v;
      // Outside by more than a pixel (the frame's own boundary pixels blend two samples).
      if (x > -1 && x < W + 1 && y > -1 && y < H + 1) continue;
      outside++;
      const want = reference(g, size, i, j);
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(data[(j * size + i) * 4 + c]! - want[c]!);
        sum += d;
        max = Math.max(max, d);
      }
    }
  }
  return { mean: sum / (3 * outside), max, outside };
}

describe('FaceCropper at the frame edge', () => {
  const cases: Array<[string, CropGeometry]> = [
    ['past the left edge', { cx: 15, cy: 75, side: 80, angle: 0 }],
    ['past the bottom edge', { cx: 100, cy: 140, side: 70, angle: 0 }],
    ['past the top-right corner, turned 20°', { cx: 190, cy: 10, side: 90, angle: 0.35 }],
    ['past every edge (bigger than the frame), turned -10°', { cx: 100, cy: 75, side: 260, angle: -0.17 }],
  ];
  for (const [what, g] of cases) {
    it(`repeats the frame's edge pixels outwards: ${what}`, () => {
      const { mean, max, outside } = compare(g);
      expect(outside, 'pixels outside the frame').to.be.above(200);
      // Bilinear against the canvas's own filtering: a few levels apart at most.
      expect(mean, 'mean difference').to.be.below(3);
      expect(max, 'largest difference').to.be.below(16);
    });
  }

  it('leaves a crop inside the frame as it was', () => {
    const g = { cx: 100, cy: 75, side: 60, angle: 0.2 };
    const { data } = new FaceCropper(96).crop(frame(), g);
    // Every pixel is the frame's (no padding drawn): compare with the reference everywhere.
    let max = 0;
    for (let j = 0; j < 96; j++) {
      for (let i = 0; i < 96; i++) {
        const want = reference(g, 96, i, j);
        for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(data[(j * 96 + i) * 4 + c]! - want[c]!));
      }
    }
    expect(max).to.be.below(16);
  });
});
