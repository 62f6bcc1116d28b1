// Overlay geometry: source pixels -> rendered CSS pixels, for every object-fit and a mirrored video.
import { expect } from '@open-wc/testing';
import { clip, fitRect, isMirrored, mapBox, parseObjectPosition } from '../src/geometry.js';

const near = (a: number, b: number) => expect(a).to.be.closeTo(b, 1e-6);
function expectBox(actual: { x: number; y: number; width: number; height: number }, x: number, y: number, width: number, height: number) {
  near(actual.x, x);
  near(actual.y, y);
  near(actual.width, width);
  near(actual.height, height);
}

describe('fitRect (object-fit)', () => {
  // A 1920x1080 frame shown in a 400x400 box.
  const src = { width: 1920, height: 1080 };
  const box = { width: 400, height: 400 };

  it('contain letterboxes, centred', () => {
    // scale = min(400/1920, 400/1080) = 0.2083.. -> 400 x 225, 87.5px bars above and below
    expectBox(fitRect('contain', src, box), 0, 87.5, 400, 225);
  });

  it('cover fills and crops, centred', () => {
    // scale = max(...) = 0.37037 -> 711.1 x 400, shifted left by (711.1-400)/2
    const w = 1920 * (400 / 1080);
    expectBox(fitRect('cover', src, box), (400 - w) / 2, 0, w, 400);
  });

  it('fill stretches', () => {
    expectBox(fitRect('fill', src, box), 0, 0, 400, 400);
  });

  it('none keeps intrinsic size, centred', () => {
    expectBox(fitRect('none', src, box), (400 - 1920) / 2, (400 - 1080) / 2, 1920, 1080);
  });

  it('scale-down is contain when larger, none when smaller', () => {
    expectBox(fitRect('scale-down', src, box), 0, 87.5, 400, 225);
    expectBox(fitRect('scale-down', { width: 100, height: 50 }, box), 150, 175, 100, 50);
  });

  it('respects object-position', () => {
    expectBox(fitRect('contain', src, box, parseObjectPosition('0% 0%')), 0, 0, 400, 225);
    expectBox(fitRect('contain', src, box, parseObjectPosition('right bottom')), 0, 175, 400, 225);
    expectBox(fitRect('contain', src, box, parseObjectPosition('10px 20px')), 10, 20, 400, 225);
  });

  it('falls back to the whole box for a zero-size source', () => {
    expectBox(fitRect('contain', { width: 0, height: 0 }, box), 0, 0, 400, 400);
  });
});

describe('mapBox', () => {
  const src = { width: 1920, height: 1080 };
  const content = { width: 400, height: 400 };

  it('maps a face box under contain', () => {
    const drawn = fitRect('contain', src, content);
    const s = 400 / 1920;
    expectBox(mapBox({ x: 960, y: 540, width: 192, height: 108 }, src, drawn, content), 960 * s, 87.5 + 540 * s, 192 * s, 108 * s);
  });

  it('maps a face box under cover (offset by the crop)', () => {
    const drawn = fitRect('cover', src, content);
    const s = 400 / 1080;
    const dx = (400 - 1920 * s) / 2;
    expectBox(mapBox({ x: 960, y: 540, width: 108, height: 108 }, src, drawn, content), dx + 960 * s, 540 * s, 40, 40);
  });

  it('flips horizontally for a mirrored element', () => {
    const drawn = fitRect('fill', { width: 100, height: 100 }, content);
    // A box at the left edge of the source is drawn at the right edge when mirrored.
    expectBox(mapBox({ x: 0, y: 10, width: 25, height: 25 }, { width: 100, height: 100 }, drawn, content, true), 300, 40, 100, 100);
  });

  it('clips to the visible area and drops boxes outside it', () => {
    expectBox(clip({ x: -10, y: 390, width: 50, height: 50 }, content)!, 0, 390, 40, 10);
    expect(clip({ x: 401, y: 0, width: 10, height: 10 }, content)).to.equal(null);
  });
});

describe('isMirrored', () => {
  it('reads computed transforms', () => {
    expect(isMirrored('matrix(-1, 0, 0, 1, 0, 0)')).to.equal(true);
    expect(isMirrored('none')).to.equal(false);
    expect(isMirrored('matrix(1, 0, 0, 1, 0, 0)')).to.equal(false);
    // 180-degree rotation flips both axes: not a mirror.
    expect(isMirrored('matrix(-1, 0, 0, -1, 0, 0)')).to.equal(false);
    expect(isMirrored('matrix3d(-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)')).to.equal(true);
  });

  it('reads the scale property', () => {
    expect(isMirrored('none', '-1 1')).to.equal(true);
    expect(isMirrored('none', '-1')).to.equal(false);
    expect(isMirrored('matrix(-1, 0, 0, 1, 0, 0)', '-1 1')).to.equal(false);
  });

  it('matches what the browser computes for scaleX(-1)', () => {
    const v = document.createElement('video');
    v.style.transform = 'scaleX(-1)';
    document.body.append(v);
    const cs = getComputedStyle(v);
    expect(isMirrored(cs.transform, cs.scale)).to.equal(true);
    v.style.transform = 'rotate(180deg)';
    expect(isMirrored(getComputedStyle(v).transform, getComputedStyle(v).scale)).to.equal(false);
    v.remove();
  });
});
