// Runs in headless Chromium, driven by eval-detector.mjs: the face detector builds side by side on
// the sample photos, face-free frames and a swaying video.
import { drawFinds } from '/models/eval/lib/draw-finds.mjs';
import { paintRoom } from '/models/eval/lib/room.mjs';

const ASSETS = '/packages/core/dist/assets';
const W = 640;
const H = 480;

/**
 * One detect() of `d`: its faces and detector passes. A --base checkout from before detect()
 * returned its work reports the passes through its `lastPassCount` getter instead.
 */
function search(d, ...args) {
  const r = d.detect(...args);
  return Array.isArray(r) ? { faces: r, passes: d.lastPassCount } : { faces: r.faces, passes: r.detectorPasses };
}

async function bitmap(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return createImageBitmap(await res.blob());
}

/** eval:pipeline's textured background (the same module and seeds), 640x480. */
function texture(colour, seed) {
  return paintRoom(new OffscreenCanvas(W, H), colour, seed);
}

function flat(colour) {
  const c = new OffscreenCanvas(W, H);
  const g = c.getContext('2d');
  g.fillStyle = colour;
  g.fillRect(0, 0, W, H);
  return c;
}

/** `img` fitted into 640x480 on black, moved `dx` pixels sideways. */
function fitted(img, dx = 0, canvas = new OffscreenCanvas(W, H)) {
  const g = canvas.getContext('2d');
  const s = Math.min(W / img.width, H / img.height);
  g.fillStyle = '#000';
  g.fillRect(0, 0, W, H);
  g.drawImage(img, (W - img.width * s) / 2 + dx, (H - img.height * s) / 2, img.width * s, img.height * s);
  return canvas;
}

export async function run({ builds, runs, draw }) {
  const detectors = [];
  for (const b of builds) {
    const { MediaPipeFaceDetector } = await import(b.url);
    detectors.push(await MediaPipeFaceDetector.create({
      wasmBase: `${ASSETS}/mediapipe`, model: `${ASSETS}/models/face/face_detection_short_range.tflite`,
      minConfidence: 0.5, maxFaces: 8, smallFaces: b.level ?? true,
    }));
  }
  const photos = [];
  for (let n = 1; n <= 6; n++) photos.push(await bitmap(`/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
  const stills = [
    ...photos.map((img, i) => ({ name: `sample${i + 1}`, image: img, width: img.width, height: img.height, full: true })),
    ...photos.map((img, i) => ({ name: `sample${i + 1} 640x480`, image: fitted(img), width: W, height: H, full: false })),
  ];
  const out = { stills: [], drawn: {} };
  for (const s of stills) {
    const row = { name: s.name, full: s.full, faces: [], passes: [], ms: [] };
    const times = detectors.map(() => []);
    for (let k = 0; k < runs; k++) {
      detectors.forEach((d, b) => {
        const t = performance.now();
        const { faces, passes } = search(d, s.image, s.width, s.height);
        times[b].push(performance.now() - t);
        if (k === 0) {
          row.faces.push(faces.length);
          row.passes.push(passes);
          s[`faces${b}`] = faces;
        }
      });
    }
    row.ms = times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
    out.stills.push(row);
    if (draw) {
      for (let b = 0; b < detectors.length; b++) out.drawn[`${builds[b].name}-${s.name.replace(/ /g, '-')}.png`] = await drawFinds(s.image, s[`faces${b}`]);
    }
  }
  // Face-free frames: every box is a false one.
  const empty = [flat('#808080'), flat('#000')];
  for (let i = 0; i < 4; i++) empty.push(texture(false, 17 + i), texture(true, 117 + i));
  out.empty = { frames: empty.length, boxes: detectors.map(() => 0), passes: detectors.map(() => 0) };
  for (const [e, frame] of empty.entries()) {
    detectors.forEach((d, b) => {
      const { faces, passes } = search(d, frame, W, H);
      out.empty.boxes[b] += faces.length;
      out.empty.passes[b] += passes;
    });
    if (draw) {
      for (let b = 0; b < detectors.length; b++) {
        const { faces } = search(detectors[b], frame, W, H);
        if (faces.length) out.drawn[`${builds[b].name}-empty${e}.png`] = await drawFinds(frame, faces);
      }
    }
  }
  // A video: sample5 swaying in 640x480, as the pipeline runs it at 30 frames/s (the full search on
  // the first frame; then the focus search, plus frame i's piece of the spread full search).
  out.video = { mean: [], most: [], faces: [] };
  for (const d of detectors) {
    const run = videoRun(d, 60, (canvas, i) => fitted(photos[4], 16 * Math.sin((2 * Math.PI * i) / 40), canvas));
    out.video.mean.push(run.mean);
    out.video.most.push(run.most);
    out.video.faces.push(run.found / 60);
  }
  // A video without faces (a textured room, swaying): the default level sweeps its fine tiles too.
  out.emptyVideo = { mean: [], most: [], boxes: [] };
  const room = texture(true, 117);
  for (const d of detectors) {
    const run = videoRun(d, 62, (canvas, i) => canvas.getContext('2d').drawImage(room, 16 * Math.sin((2 * Math.PI * i) / 40) - 16, 0, W + 32, H));
    out.emptyVideo.mean.push(run.mean);
    out.emptyVideo.most.push(run.most);
    out.emptyVideo.boxes.push(run.found);
  }
  for (const d of detectors) d.close();
  return out;
}

/**
 * `frames` frames of a video drawn by `draw(canvas, i)` into a W x H canvas, searched by `d` as the
 * pipeline does (the full search on the first, then around the last faces plus frame i's piece of
 * the spread full search): detector passes per frame (mean, most) and the boxes found in all.
 */
function videoRun(d, frames, draw) {
  const canvas = new OffscreenCanvas(W, H);
  let last;
  let passes = 0;
  let most = 0;
  let found = 0;
  for (let i = 0; i < frames; i++) {
    draw(canvas, i);
    const r = i === 0 ? search(d, canvas, W, H) : search(d, canvas, W, H, last.map((f) => f.box), i);
    last = r.faces;
    passes += r.passes;
    most = Math.max(most, r.passes);
    found += last.length;
  }
  return { mean: passes / frames, most, found };
}
