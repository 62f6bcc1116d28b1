// The crop filter: steadier crops for a jittering face, no lag behind a steadily moving one,
// a fresh start after a jump, and predictions for the next frame.
import { expect } from '@open-wc/testing';
import { CropFilter } from '../src/tracking/crop-filter.js';
import type { CropGeometry } from '../src/geometry/box.js';
import type { Box } from '../src/types.js';

/** A deterministic pseudo-random sequence in [-1, 1]. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  };
}

const FRAME_MS = 33;
const boxAt = (c: CropGeometry): Box => ({ x: c.cx - c.side / 2.5, y: c.cy - c.side / 2.5, width: c.side / 1.25, height: c.side / 1.25 });
const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

describe('CropFilter', () => {
  it('steadies the crop of a still face whose detection jitters', () => {
    const filter = new CropFilter();
    const rand = noise(7);
    const truth: CropGeometry = { cx: 300, cy: 200, side: 100, angle: 0 };
    const raw: number[][] = [];
    const out: number[][] = [];
    for (let i = 0; i < 90; i++) {
      // Jitter as measured on small faces: about 2% of the side, and 3 degrees.
      const m = { cx: truth.cx + 2 * rand(), cy: truth.cy + 2 * rand(), side: truth.side * (1 + 0.02 * rand()), angle: 0.05 * rand() };
      const [c] = filter.update([boxAt(m)], [m], i * FRAME_MS);
      if (i < 10) continue; // settling
      raw.push([m.cx - truth.cx, m.cy - truth.cy, m.side - truth.side, m.angle]);
      out.push([c!.cx - truth.cx, c!.cy - truth.cy, c!.side - truth.side, c!.angle]);
    }
    for (let k = 0; k < 4; k++) {
      const ratio = rms(out.map((e) => e[k]!)) / rms(raw.map((e) => e[k]!));
      expect(ratio, `error ratio of component ${k}`).to.be.below(0.8);
    }
  });

  it('follows a face that moves steadily without lagging, and predicts its next place', () => {
    const filter = new CropFilter();
    const at = (i: number): CropGeometry => ({ cx: 100 + 3 * i, cy: 200 - i, side: 80, angle: 0.1 });
    let last: CropGeometry | undefined;
    for (let i = 0; i < 30; i++) {
      if (i >= 20) {
        // Where the filter expects the face before seeing this frame.
        const [p] = filter.predict(i * FRAME_MS);
        expect(Math.hypot(p!.cx - at(i).cx, p!.cy - at(i).cy)).to.be.below(0.3);
      }
      [last] = filter.update([boxAt(at(i))], [at(i)], i * FRAME_MS);
    }
    expect(Math.hypot(last!.cx - at(29).cx, last!.cy - at(29).cy)).to.be.below(0.1);
    expect(last!.angle).to.be.closeTo(0.1, 1e-9);
  });

  it('starts over from the detection after a jump, for a new face, and after reset()', () => {
    const filter = new CropFilter();
    const a: CropGeometry = { cx: 100, cy: 100, side: 80, angle: 0 };
    filter.update([boxAt(a)], [a], 0);
    // The same face 25 px away (almost a third of its crop): a jump, not jitter; the boxes still overlap.
    const jumped = { ...a, cx: 125 };
    expect(filter.update([boxAt(jumped)], [jumped], 33)).to.deep.equal([jumped]);
    // A turn of 30 degrees is a jump too.
    const turned = { ...jumped, angle: 0.52 };
    expect(filter.update([boxAt(turned)], [turned], 66)).to.deep.equal([turned]);
    // A second face far away is taken as detected; the first one is still filtered.
    const other: CropGeometry = { cx: 500, cy: 300, side: 60, angle: 0 };
    const moved = { ...turned, cx: 126 };
    const [first, second] = filter.update([boxAt(moved), boxAt(other)], [moved, other], 99);
    expect(second).to.deep.equal(other);
    expect(first!.cx).to.be.within(125, 126);
    // Repeated timestamps add no time: the measurement is taken as it is.
    expect(filter.update([boxAt(other)], [other], 99)).to.deep.equal([other]);
    filter.reset();
    expect(filter.predict(132)).to.deep.equal([]);
  });

  it('predicts nothing before any frame, and the last crops at their place for a still face', () => {
    const filter = new CropFilter();
    expect(filter.predict(0)).to.deep.equal([]);
    const a: CropGeometry = { cx: 100, cy: 100, side: 80, angle: 0 };
    filter.update([boxAt(a)], [a], 0);
    expect(filter.predict(33)).to.deep.equal([a]);
  });
});
