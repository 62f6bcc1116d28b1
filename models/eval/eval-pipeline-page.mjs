// Runs in headless Chromium, driven by eval-pipeline.mjs: renders FER2013 faces into frames the way
// users' frames look and runs each frame through the whole engine (packages/core/dist), as an app
// would call it. Everything is served locally by the script.

import { pngBase64 } from '/models/eval/lib/canvas-png.mjs';
import { random } from '/models/eval/lib/random.mjs';
import { paintRoom } from '/models/eval/lib/room.mjs';

let detector = null;
let faces = null;
const FACE = 48;

const textures = new Map();
function textureFor(width, height, colour, i) {
  const key = `${width}x${height}-${colour}-${i % 4}`;
  if (!textures.has(key)) textures.set(key, paintRoom(Object.assign(document.createElement('canvas'), { width, height }), colour, 17 + (i % 4) + (colour ? 100 : 0)));
  return textures.get(key);
}

/** Face `i` as a 48x48 canvas: grey, or tinted to a skin tone for `colour`. */
function faceCanvas(i, colour) {
  const c = document.createElement('canvas');
  c.width = FACE;
  c.height = FACE;
  const g = c.getContext('2d');
  const img = g.createImageData(FACE, FACE);
  const tint = colour ? [1, 0.8, 0.66] : [1, 1, 1];
  for (let p = 0; p < FACE * FACE; p++) {
    const v = faces[i * FACE * FACE + p];
    for (let ch = 0; ch < 3; ch++) img.data[p * 4 + ch] = v * tint[ch];
    img.data[p * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  return c;
}

/** The frame of condition `c` for face `i`, and where the face image lies in it. */
function frameFor(c, i) {
  const canvas = document.createElement('canvas');
  canvas.width = c.width;
  canvas.height = c.height;
  const g = canvas.getContext('2d');
  if (c.background === 'texture') g.drawImage(textureFor(c.width, c.height, c.colour, i), 0, 0);
  else {
    g.fillStyle = c.background === 'black' ? '#000' : '#808080';
    g.fillRect(0, 0, c.width, c.height);
  }
  const side = Math.round(c.size * Math.min(c.width, c.height));
  // 'past': a fifth of the face image beyond the frame's left edge, as a face partly out of the picture.
  let x = c.position === 'centre' ? Math.round((c.width - side) / 2) : c.position === 'past' ? -Math.round(side / 5) : 0;
  let y = c.position === 'corner' ? 0 : Math.round((c.height - side) / 2);
  if (c.position === 'anywhere') {
    const rnd = random(1000 + i);
    x = Math.round(rnd() * (c.width - side));
    y = Math.round(rnd() * (c.height - side));
  }
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'medium';
  g.drawImage(faceCanvas(i, c.colour), x, y, side, side);
  return { canvas, rect: { x, y, width: side, height: side } };
}

/** `facesUrl`: the 48x48 grey images to draw, one after another (or none yet: useNonFaces). */
export async function start({ facesUrl, model, threads, smallFaces, flipAverage }) {
  if (facesUrl) {
    const res = await fetch(facesUrl);
    if (!res.ok) throw new Error(`${facesUrl}: HTTP ${res.status}`);
    faces = new Uint8Array(await res.arrayBuffer());
  }
  const { EmotionDetector, EMOTIONS } = await import('/packages/core/dist/index.js');
  detector = await EmotionDetector.create({
    backend: 'wasm',
    numThreads: threads,
    assetsBase: '/packages/core/dist/assets/',
    ...(model ? { model } : {}),
    ...(smallFaces === undefined ? {} : { smallFaces }),
    ...(flipAverage === undefined ? {} : { flipAverage }),
  });
  return { model: detector.modelCard.name, backend: detector.backend, parallel: detector.parallel, emotions: [...EMOTIONS] };
}

/**
 * Faces `from`..`to` in condition `c`: per face, whether it was found (a face whose box centre lies
 * in the face image) and that face's probabilities (raw, before smoothing), in EMOTIONS order.
 */
export async function run(c, from, to) {
  const { EMOTIONS } = await import('/packages/core/dist/index.js');
  const out = [];
  for (let i = from; i < to; i++) {
    const { canvas, rect } = frameFor(c, i);
    // Each frame a still, as a photo is (analysed afresh, with the full search for small faces).
    const r = await detector.detect(canvas, undefined, { video: false });
    const inside = r.faces.filter((f) => {
      const cx = f.box.x + f.box.width / 2;
      const cy = f.box.y + f.box.height / 2;
      return cx >= rect.x && cx <= rect.x + rect.width && cy >= rect.y && cy <= rect.y + rect.height;
    });
    const face = inside.sort((a, b) => b.score - a.score)[0];
    // Every other box is a false one (the frame holds one face); and what the search cost.
    const others = r.faces.filter((f) => f !== face).map((f) => ({ box: f.box, score: f.score }));
    const cost = { others, passes: r.work.detectorPasses, search: r.work.search, ms: { classification: r.timings.classification, total: r.timings.total } };
    out.push(face ? { found: true, p: EMOTIONS.map((e) => face.rawEmotions[e]), box: face.box, keypoints: face.keypoints, rect, ...cost } : { found: false, rect, ...cost });
  }
  return out;
}

/** Frames `indices` of condition `c` as PNG (base64), the face image's square outlined in red one pixel outside it. */
export async function frames(c, indices) {
  const out = [];
  for (const i of indices) {
    const { canvas, rect } = frameFor(c, i);
    const g = canvas.getContext('2d');
    g.strokeStyle = '#f00';
    g.strokeRect(rect.x - 1.5, rect.y - 1.5, rect.width + 3, rect.height + 3);
    out.push(await pngBase64(canvas));
  }
  return out;
}

/**
 * Puts `count` face-free patches of the six sample photos of @vladmandic/face-api in the faces'
 * place (eval-non-faces.mjs): squares of 4-40% of a photo's shorter side, drawn with `seed`, that
 * reach no nearer than 1.1 box widths (above and beside) or 1.43 (below: the neck) to the centre of
 * any of `faces` (per photo: the boxes to keep clear of; lib/sample-photo-faces.json), shrunk to
 * 48x48 grey as FER2013's faces are. Returns where each was cut.
 */
export async function useNonFaces({ count, seed, faces: boxesOf }) {
  const photos = [];
  for (let k = 1; k <= 6; k++) {
    const img = new Image();
    img.src = `/node_modules/@vladmandic/face-api/demo/sample${k}.jpg`;
    await img.decode();
    const name = `sample${k}.jpg`;
    if (!boxesOf[name]) throw new Error(`no face boxes for ${name}`);
    photos.push({ img, name, boxes: boxesOf[name] });
  }
  const nearFace = (x, y, s, boxes) =>
    boxes.some((b) => {
      const [cx, cy, r] = [b.x + b.width / 2, b.y + b.height / 2, 1.1 * b.width];
      return x < cx + r && x + s > cx - r && y < cy + 1.3 * r && y + s > cy - r;
    });
  const rnd = random(seed);
  const canvas = document.createElement('canvas');
  canvas.width = FACE;
  canvas.height = FACE;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'high';
  faces = new Uint8Array(count * FACE * FACE);
  const cuts = [];
  while (cuts.length < count) {
    const { img, name, boxes } = photos[Math.floor(rnd() * photos.length)];
    const [w, h] = [img.naturalWidth, img.naturalHeight];
    const s = Math.round(Math.min(w, h) * (0.04 + 0.36 * rnd()));
    const x = Math.floor(rnd() * (w - s));
    const y = Math.floor(rnd() * (h - s));
    if (nearFace(x, y, s, boxes)) continue;
    g.drawImage(img, x, y, s, s, 0, 0, FACE, FACE);
    const px = g.getImageData(0, 0, FACE, FACE).data;
    const at = cuts.length * FACE * FACE;
    for (let p = 0; p < FACE * FACE; p++) faces[at + p] = Math.round(0.299 * px[p * 4] + 0.587 * px[p * 4 + 1] + 0.114 * px[p * 4 + 2]);
    cuts.push({ photo: name, x, y, side: s, faces: boxes });
  }
  return cuts;
}

export async function close() {
  await detector?.dispose();
}
