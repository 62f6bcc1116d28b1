// The luma map tells the detector where a region of the frame is dark (face-detector.ts draws such
// regions at a lower contrast): the mean of the frame's own pixels, never of what lies past its edge.
import { expect } from '@open-wc/testing';
import { lumaMap, lumaMapSize } from '../src/detection/luma-map.js';

const W = 640;
const H = 480;

/** A 640x480 frame's map: black left of x = 320, white right of it, pure red in the top-right 160x120. */
function map() {
  const size = lumaMapSize(W, H);
  const data = new Uint8ClampedArray(size.width * size.height * 4);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const i = (y * size.width + x) * 4;
      const fx = ((x + 0.5) * W) / size.width;
      const fy = ((y + 0.5) * H) / size.height;
      const v = fx < 320 ? 0 : 255;
      const red = fx >= 480 && fy < 120;
      data.set([v, red ? 0 : v, red ? 0 : v, 255], i);
    }
  }
  return lumaMap({ data, width: size.width, height: size.height }, W, H);
}

describe('luma map', () => {
  it('is LUMA_MAP_SIDE cells on the longer side', () => {
    expect(lumaMapSize(640, 480)).to.deep.equal({ width: 64, height: 48 });
    expect(lumaMapSize(480, 640)).to.deep.equal({ width: 48, height: 64 });
    expect(lumaMapSize(1920, 10)).to.deep.equal({ width: 64, height: 1 });
  });

  it('gives the mean luma of a region', () => {
    const m = map();
    expect(m.mean({ x: 0, y: 0, width: 320, height: 480 })).to.equal(0);
    expect(m.mean({ x: 320, y: 200, width: 320, height: 280 })).to.be.closeTo(1, 1e-6);
    expect(m.mean({ x: 160, y: 200, width: 320, height: 200 })).to.be.closeTo(0.5, 1e-6);
    // Rec. 601 weights: red is 0.299.
    expect(m.mean({ x: 480, y: 0, width: 160, height: 120 })).to.be.closeTo(0.299, 1e-3);
  });

  it('leaves out the hole', () => {
    const m = map();
    // A square straddling the edge between black and white, its white half the hole: black is left.
    expect(m.mean({ x: 220, y: 140, width: 200, height: 200 }, { x: 320, y: 140, width: 100, height: 200 })).to.equal(0);
  });

  it('counts only the frame: past its edge is neither dark nor bright', () => {
    const m = map();
    // Mostly past the right edge, the part inside is white.
    expect(m.mean({ x: 600, y: 200, width: 400, height: 100 })).to.be.closeTo(1, 1e-6);
    // Wholly outside, or wholly in the hole: no cell left.
    expect(m.mean({ x: -500, y: -500, width: 400, height: 400 })).to.equal(1);
    expect(m.mean({ x: 0, y: 0, width: 100, height: 100 }, { x: -10, y: -10, width: 200, height: 200 })).to.equal(1);
  });

  it("counts past the frame's edge as black where asked (as a look reaching past it sees it)", () => {
    const m = map();
    // 40 px inside (white), 360 past the edge: a tenth of the cells are white.
    expect(m.mean({ x: 600, y: 200, width: 400, height: 100 }, undefined, 'black')).to.be.closeTo(0.1, 1e-6);
    expect(m.mean({ x: -500, y: -500, width: 400, height: 400 }, undefined, 'black')).to.equal(0);
  });

  it('tells a plain region from a patchy one (the spread of its cells in the frame)', () => {
    const m = map();
    expect(m.spread({ x: 0, y: 0, width: 320, height: 480 })).to.equal(0);
    // Half black, half white: a spread of one half.
    expect(m.spread({ x: 160, y: 200, width: 320, height: 200 })).to.be.closeTo(0.5, 1e-6);
    // Past the frame's edge counts for nothing, and the hole is left out.
    expect(m.spread({ x: 600, y: 200, width: 400, height: 100 })).to.be.closeTo(0, 1e-6);
    expect(m.spread({ x: 220, y: 140, width: 200, height: 200 }, { x: 320, y: 140, width: 100, height: 200 })).to.equal(0);
    expect(m.spread({ x: -500, y: -500, width: 400, height: 400 })).to.equal(0);
  });
});
