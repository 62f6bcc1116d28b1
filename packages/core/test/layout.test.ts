// Overlay geometry (@emotion-detector/core/layout): frame pixels -> where a face shows on the
// rendered media, for every object-fit, object-position (either keyword order, px, calc),
// mirroring on either axis (the element's own transform or an ancestor's, across shadow roots),
// borders and padding. The pure maths first (ported from the element's geometry.test.ts and the
// extension's logic.test.mjs), then measure() against what Chromium lays out.
import { expect } from '@open-wc/testing';
import {
  EMOTIONS,
  EMOTION_COLORS,
  clip,
  fitRect,
  layoutOf,
  mapBox,
  measure,
  mirrorOf,
  mirrorOfStyle,
  parseObjectFit,
  parseObjectPosition,
  placeBox,
  type MediaLayout,
} from '../src/layout/index.js';
import type { Box } from '../src/types.js';

const near = (a: number, b: number, what = '') => expect(a, what).to.be.closeTo(b, 1e-6);
function expectBox(actual: Box | null, x: number, y: number, width: number, height: number, tolerance = 1e-6) {
  expect(actual).to.not.equal(null);
  expect(actual!.x, 'x').to.be.closeTo(x, tolerance);
  expect(actual!.y, 'y').to.be.closeTo(y, tolerance);
  expect(actual!.width, 'width').to.be.closeTo(width, tolerance);
  expect(actual!.height, 'height').to.be.closeTo(height, tolerance);
}

describe('layout: the palette', () => {
  it('has one colour per emotion', () => {
    expect(Object.keys(EMOTION_COLORS)).to.have.members([...EMOTIONS]);
    for (const e of EMOTIONS) expect(EMOTION_COLORS[e]).to.match(/^#[0-9a-f]{6}$/);
  });
});

describe('layout: fitRect (object-fit)', () => {
  // A 1920x1080 frame shown in a 400x400 box.
  const src = { width: 1920, height: 1080 };
  const box = { width: 400, height: 400 };

  it('contain letterboxes, centred', () => {
    // scale = min(400/1920, 400/1080) = 0.2083.. -> 400 x 225, 87.5px bars above and below
    expectBox(fitRect('contain', src, box), 0, 87.5, 400, 225);
  });

  it('cover fills and crops, centred', () => {
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

  it('scales px sizes and offsets by the CSS transform (none, scale-down, px positions)', () => {
    // Laid out in viewport px of an element scaled 2x: its 100x50 picture is 200x100 there.
    expectBox(fitRect('none', { width: 100, height: 50 }, { width: 800, height: 800 }, parseObjectPosition('10px 0%'), 2), 20, 0, 200, 100);
    expectBox(fitRect('scale-down', { width: 100, height: 50 }, { width: 800, height: 800 }, parseObjectPosition('0% 0%'), 2), 0, 0, 200, 100);
  });

  it('falls back to the whole box for a zero-size source', () => {
    expectBox(fitRect('contain', { width: 0, height: 0 }, box), 0, 0, 400, 400);
  });
});

describe('layout: parsing computed styles', () => {
  it('object-position: keywords in either order, %, px and calc()', () => {
    expect(parseObjectPosition('50% 50%')).to.deep.equal({ x: { fraction: 0.5, offset: 0 }, y: { fraction: 0.5, offset: 0 } });
    expect(parseObjectPosition('10px 100%')).to.deep.equal({ x: { fraction: 0, offset: 10 }, y: { fraction: 1, offset: 0 } });
    // `top right` is x = right, y = top.
    expect(parseObjectPosition('top right')).to.deep.equal({ x: { fraction: 1, offset: 0 }, y: { fraction: 0, offset: 0 } });
    expect(parseObjectPosition('left bottom')).to.deep.equal({ x: { fraction: 0, offset: 0 }, y: { fraction: 1, offset: 0 } });
    expect(parseObjectPosition('calc(100% - 10px) calc(20% + 4px)')).to.deep.equal({ x: { fraction: 1, offset: -10 }, y: { fraction: 0.2, offset: 4 } });
    // What it cannot read is the initial value.
    expect(parseObjectPosition('nonsense')).to.deep.equal(parseObjectPosition('50% 50%'));
    expect(parseObjectPosition('1em 2em')).to.deep.equal(parseObjectPosition('50% 50%'));
    expect(parseObjectPosition(undefined)).to.deep.equal(parseObjectPosition('50% 50%'));
  });

  it('object-fit', () => {
    expect(parseObjectFit('scale-down')).to.equal('scale-down');
    expect(parseObjectFit('bogus')).to.equal('fill');
    expect(parseObjectFit(null)).to.equal('fill');
  });

  it('flips from transform matrices and the scale property', () => {
    expect(mirrorOfStyle('matrix(-1, 0, 0, 1, 0, 0)')).to.deep.equal({ x: true, y: false });
    expect(mirrorOfStyle('none')).to.deep.equal({ x: false, y: false });
    expect(mirrorOfStyle('matrix(1, 0, 0, -1, 0, 0)')).to.deep.equal({ x: false, y: true });
    // A 180-degree turn flips both axes (and maps boxes as such).
    expect(mirrorOfStyle('matrix(-1, 0, 0, -1, 0, 0)')).to.deep.equal({ x: true, y: true });
    expect(mirrorOfStyle('matrix3d(-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)')).to.deep.equal({ x: true, y: false });
    expect(mirrorOfStyle('none', '-1 1')).to.deep.equal({ x: true, y: false });
    expect(mirrorOfStyle('none', '-1')).to.deep.equal({ x: true, y: true });
    // Two flips of the same axis cancel.
    expect(mirrorOfStyle('matrix(-1, 0, 0, 1, 0, 0)', '-1 1')).to.deep.equal({ x: false, y: false });
  });
});

describe('layout: mapping boxes', () => {
  const at = (over: Partial<Parameters<typeof layoutOf>[0]> = {}): MediaLayout =>
    layoutOf({ content: { x: 100, y: 50, width: 400, height: 300 }, intrinsic: { width: 640, height: 480 }, ...over });
  const square = { content: { x: 0, y: 0, width: 400, height: 400 } };

  it('maps a box through object-fit: fill, contain, cover', () => {
    const box = { x: 0, y: 0, width: 320, height: 240 };
    expectBox(placeBox(box, { width: 640, height: 480 }, at()), 100, 50, 200, 150);
    // 4:3 into 400x400: contain letterboxes 50 px top and bottom.
    expectBox(placeBox(box, { width: 640, height: 480 }, at({ ...square, fit: 'contain' })), 0, 50, 200, 150);
    // cover scales to 533.3x400 and crops 66.7 px left and right: the box is clipped.
    expectBox(placeBox(box, { width: 640, height: 480 }, at({ ...square, fit: 'cover' })), 0, 0, 266.667 - 66.667, 200, 1e-3);
  });

  it('maps a face box under contain and cover (offset by the crop)', () => {
    const src = { width: 1920, height: 1080 };
    const layout = (fit: 'contain' | 'cover') => layoutOf({ ...square, intrinsic: src, fit });
    const s = 400 / 1920;
    expectBox(mapBox({ x: 960, y: 540, width: 192, height: 108 }, src, layout('contain')), 960 * s, 87.5 + 540 * s, 192 * s, 108 * s);
    const c = 400 / 1080;
    expectBox(mapBox({ x: 960, y: 540, width: 108, height: 108 }, src, layout('cover')), (400 - 1920 * c) / 2 + 960 * c, 540 * c, 40, 40);
  });

  it('the frame may be any downscale of the picture', () => {
    const full = placeBox({ x: 64, y: 48, width: 64, height: 48 }, { width: 640, height: 480 }, at());
    const half = placeBox({ x: 32, y: 24, width: 32, height: 24 }, { width: 320, height: 240 }, at());
    expect(half).to.deep.equal(full);
  });

  it('mirrors horizontally and vertically about the content box, with object-position', () => {
    const box = { x: 0, y: 0, width: 64, height: 48 };
    const frame = { width: 640, height: 480 };
    expectBox(placeBox(box, frame, at({ mirror: { x: true, y: false } })), 100 + 400 - 40, 50, 40, 30);
    expectBox(placeBox(box, frame, at({ mirror: { x: false, y: true } })), 100, 50 + 300 - 30, 40, 30);
    expectBox(placeBox(box, frame, at({ mirror: { x: true, y: true } })), 460, 320, 40, 30);
    // A portrait picture at `top left` of a square box: mirrored, the picture shows at the right
    // (the flip turns the content box), and a face at its left edge at the box's right edge.
    const portrait = { ...square, intrinsic: { width: 480, height: 640 }, fit: 'contain' as const, position: parseObjectPosition('top left') };
    const face = { x: 0, y: 0, width: 48, height: 64 };
    const tall = { width: 480, height: 640 };
    expectBox(at(portrait).drawn, 0, 0, 300, 400);
    expectBox(placeBox(face, tall, at(portrait)), 0, 0, 30, 40);
    const mirrored = at({ ...portrait, mirror: { x: true, y: false } });
    expectBox(mirrored.drawn, 100, 0, 300, 400);
    expectBox(placeBox(face, tall, mirrored), 370, 0, 30, 40);
  });

  it('clips to the visible area and drops boxes outside it', () => {
    const content = { x: 0, y: 0, width: 400, height: 400 };
    expectBox(clip({ x: -10, y: 390, width: 50, height: 50 }, content), 0, 390, 40, 10);
    expect(clip({ x: 401, y: 0, width: 10, height: 10 }, content)).to.equal(null);
    expect(clip({ x: 399.5, y: 0, width: 10, height: 10 }, content), 'less than a pixel shows').to.equal(null);
    // Under cover, a face in the cropped-off margin does not show.
    expect(placeBox({ x: 0, y: 0, width: 40, height: 40 }, { width: 640, height: 480 }, at({ ...square, fit: 'cover' }))).to.equal(null);
  });
});

describe('layout: measure() in the page', () => {
  let host: HTMLDivElement;
  beforeEach(() => {
    host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:30px;top:20px;';
    document.body.append(host);
  });
  afterEach(() => host.remove());

  /** A 160x120 canvas (its intrinsic size), styled. */
  function canvas(style: string, parent: Element | ShadowRoot = host): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 120;
    c.style.cssText = `display:block;${style}`;
    parent.append(c);
    return c;
  }

  it('reads the content box inside borders and padding, object-fit and object-position', () => {
    const c = canvas('width:200px;height:200px;border:5px solid;border-left-width:10px;padding:3px 7px 3px 0;box-sizing:content-box;object-fit:contain;object-position:right top');
    const layout = measure(c)!;
    const r = c.getBoundingClientRect();
    expectBox(layout.content, r.left + 10, r.top + 5 + 3, 200, 200);
    // 4:3 contained in 200x200: 200 x 150, at the top right.
    expectBox(layout.drawn, r.left + 10, r.top + 8, 200, 150);
    expect(layout.mirror).to.deep.equal({ x: false, y: false });
    expect(layout.scale).to.be.closeTo(1, 1e-9);
  });

  it('relative to a container: in its own CSS px, through an ancestor scale', () => {
    host.style.transform = 'scale(2)';
    host.style.transformOrigin = '0 0';
    const frame = document.createElement('div');
    frame.style.cssText = 'position:relative;margin:10px;border:4px solid;';
    host.append(frame);
    const c = canvas('width:160px;height:120px;margin-left:6px;', frame);
    const inViewport = measure(c)!;
    expect(inViewport.scale, 'viewport px per CSS px').to.be.closeTo(2, 1e-9);
    expectBox(inViewport.content, c.getBoundingClientRect().left, c.getBoundingClientRect().top, 320, 240);
    const inFrame = measure(c, { relativeTo: frame })!;
    expect(inFrame.scale).to.be.closeTo(1, 1e-9);
    // From the frame's padding box: the canvas's margin only.
    expectBox(inFrame.content, 6, 0, 160, 120);
  });

  it('mirroring by the element, by an ancestor across a shadow root, and both', () => {
    const selfie = canvas('width:160px;height:120px;transform:scaleX(-1)');
    expect(mirrorOf(selfie)).to.deep.equal({ x: true, y: false });
    const shadowHost = document.createElement('div');
    shadowHost.style.transform = 'scale(1, -1)';
    host.append(shadowHost);
    const root = shadowHost.attachShadow({ mode: 'open' });
    const inner = canvas('width:160px;height:120px', root);
    expect(mirrorOf(inner), 'an ancestor across the shadow root flips it').to.deep.equal({ x: false, y: true });
    inner.style.scale = '-1 1';
    expect(mirrorOf(inner)).to.deep.equal({ x: true, y: true });
    selfie.style.transform = 'rotate(180deg)';
    expect(mirrorOf(selfie), 'a half turn flips both axes').to.deep.equal({ x: true, y: true });
  });

  it('a mirrored element with uneven borders: its left border shows on the right', () => {
    // scaleX(-1) turns the border box about its centre: the 20 px left border is drawn on the
    // right, the content box on the left, and the picture's top-left quarter at the content's right.
    const c = canvas('width:160px;height:120px;border-left:20px solid black;transform:scaleX(-1);object-fit:fill');
    const layout = measure(c)!;
    const r = c.getBoundingClientRect();
    expect(r.width).to.be.closeTo(180, 1e-6);
    expectBox(layout.content, r.left, r.top, 160, 120);
    expectBox(placeBox({ x: 0, y: 0, width: 80, height: 60 }, { width: 160, height: 120 }, layout), r.left + 80, r.top, 80, 60);
  });

  it('null while the media has no picture or no size', () => {
    const video = document.createElement('video');
    host.append(video);
    expect(measure(video)).to.equal(null);
    const hidden = canvas('display:none');
    expect(measure(hidden)).to.equal(null);
  });

  it('cover, a calc() position, padding and a mirror together', () => {
    const c = canvas('width:200px;height:100px;padding:4px;object-fit:cover;object-position:calc(100% - 10px) 30%;transform:scaleX(-1)');
    const layout = measure(c)!;
    const face = { x: 40, y: 30, width: 40, height: 30 };
    const placed = mapBox(face, { width: 160, height: 120 }, layout);
    // cover: 200/160 = 1.25 -> 200 x 150; x: free 0 x 100% - 10 px = -10; y: free -50 x 30%.
    const k = 1.25;
    const r = c.getBoundingClientRect();
    const localX = -10 + face.x * k;
    const localY = (100 - 150) * 0.3 + face.y * k;
    near(placed.width, face.width * k, 'width');
    near(placed.y, r.top + 4 + localY, 'y');
    // Mirrored about the content box.
    near(placed.x, r.left + 4 + (200 - localX - face.width * k), 'x');
  });
});
