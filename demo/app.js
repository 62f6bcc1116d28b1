// The demo page: drives one <emotion-detector> (camera or photo), and shows its events as a face
// list with probability bars, a timeline chart and a small performance HUD.
import { EMOTIONS } from '/packages/element/dist/emotion-detector.js';
import { Timeline } from './timeline.js';

/** @typedef {import('../packages/element/src/index.js').EmotionDetectorElement} EmotionDetectorElement */
/** @typedef {import('../packages/element/src/index.js').Face} Face */
/** @typedef {import('../packages/element/src/index.js').EmotionFacesDetail} EmotionFacesDetail */

const SAMPLES = [1, 2, 3, 4, 5, 6].map((n) => `/samples/sample${n}.jpg`);

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const detector = /** @type {EmotionDetectorElement} */ ($('detector'));
const stage = $('stage');
const facesList = $('faces');
const rootStyle = getComputedStyle(document.documentElement);
const colorOf = (/** @type {string} */ e) => rootStyle.getPropertyValue(`--emotion-color-${e}`).trim() || '#888';
const timeline = new Timeline(/** @type {HTMLCanvasElement} */ ($('timeline')), EMOTIONS, colorOf);
const pct = (/** @type {number} */ p) => `${Math.round(p * 100)}%`;

/** @type {'camera' | 'photos'} */
let mode = 'photos';
/** Which face the timeline follows (the first one seen, until it leaves). */
let followed = /** @type {number | null} */ (null);
let objectUrl = /** @type {string | null} */ (null);

// ---- legend and gallery ----

$('legend').append(
  ...EMOTIONS.map((e) => {
    const li = document.createElement('li');
    const swatch = document.createElement('i');
    swatch.style.background = colorOf(e);
    li.append(swatch, e);
    return li;
  }),
);

const gallery = $('gallery');
SAMPLES.forEach((src, i) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'thumb';
  b.setAttribute('role', 'listitem');
  b.setAttribute('aria-label', `Sample photo ${i + 1}`);
  const img = document.createElement('img');
  img.src = src;
  img.alt = '';
  img.loading = 'lazy';
  b.append(img);
  b.addEventListener('click', () => showPhoto(src, `Sample photo ${i + 1}`));
  gallery.append(b);
});

// ---- modes ----

/** @param {'camera' | 'photos'} next */
function setMode(next) {
  mode = next;
  history.replaceState(null, '', `${location.pathname}${location.search}#${next}`);
  for (const b of document.querySelectorAll('[data-mode]')) b.setAttribute('aria-checked', String(b.getAttribute('data-mode') === next));
  $('photo-picker').hidden = next !== 'photos';
  $('camera-toggle').hidden = next !== 'camera';
  resetResults();
  if (next === 'camera') {
    detector.querySelector('img')?.remove();
    detector.source = 'camera';
    $('camera-toggle').textContent = 'Stop camera';
    detector.start().catch(() => {});
    $('timeline-note').textContent = 'waiting for a face';
    timeline.placeholder = 'Waiting for a face…';
  } else {
    detector.stop();
    detector.source = 'media';
    showPhoto(/** @type {HTMLElement} */ (gallery.querySelector('[aria-current="true"] img'))?.getAttribute('src') ?? SAMPLES[0], 'Sample photo 1');
  }
}

/** @param {string} src  @param {string} alt */
function showPhoto(src, alt) {
  if (mode !== 'photos') setMode('photos');
  resetResults();
  let img = detector.querySelector('img');
  if (!img) {
    img = document.createElement('img');
    detector.append(img);
  }
  img.alt = alt;
  img.src = src;
  for (const t of gallery.querySelectorAll('.thumb')) {
    t.setAttribute('aria-current', String(t.querySelector('img')?.getAttribute('src') === src));
  }
  detector.start().catch(() => {});
  $('timeline-note').textContent = 'camera only';
  timeline.placeholder = 'Switch to Camera to follow a face over time';
}

function resetResults() {
  followed = null;
  timeline.clear();
  facesList.replaceChildren();
  renderFaces([]);
}

for (const b of document.querySelectorAll('[data-mode]')) {
  b.addEventListener('click', () => setMode(/** @type {'camera' | 'photos'} */ (b.getAttribute('data-mode'))));
}

$('camera-toggle').addEventListener('click', () => {
  const btn = $('camera-toggle');
  if (btn.textContent === 'Stop camera') {
    detector.stop();
    btn.textContent = 'Start camera';
    resetResults();
  } else {
    btn.textContent = 'Stop camera';
    detector.start().catch(() => {});
  }
});

const overlaySelect = /** @type {HTMLSelectElement} */ ($('overlay'));
overlaySelect.addEventListener('change', () => (detector.overlay = /** @type {any} */ (overlaySelect.value)));
const backendSelect = /** @type {HTMLSelectElement} */ ($('backend'));
backendSelect.addEventListener('change', () => {
  detector.backend = /** @type {any} */ (backendSelect.value);
  $('hud-backend').textContent = '…';
  resetResults();
});

// The models the build ships, as its assets' index.json lists them; the default one is the
// element's own default (modelSrc null).
const modelSelect = /** @type {HTMLSelectElement} */ ($('model'));
const MODELS = new URL('/packages/core/dist/assets/models/emotion/', location.href);
(async () => {
  const index = await (await fetch(new URL('index.json', MODELS))).json();
  for (const file of index.models) {
    const card = await (await fetch(new URL(file, MODELS))).json();
    const isDefault = file === index.default;
    const option = new Option(`${card.name}${isDefault ? ' (default)' : ''}`, isDefault ? '' : new URL(card.file, MODELS).href, isDefault, isDefault);
    modelSelect.add(option);
  }
})().catch(() => modelSelect.add(new Option('default', '')));
modelSelect.addEventListener('change', () => {
  detector.modelSrc = modelSelect.value || null;
  resetResults();
});
const flipAverage = /** @type {HTMLInputElement} */ ($('flip-average'));
flipAverage.addEventListener('change', () => {
  detector.flipAverage = flipAverage.checked;
  resetResults();
});

// ---- drag and drop, file picker ----

/** @param {File | undefined | null} file */
function openFile(file) {
  if (!file || !file.type.startsWith('image/')) return;
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = URL.createObjectURL(file);
  showPhoto(objectUrl, file.name);
}
$('file').addEventListener('change', (e) => openFile(/** @type {HTMLInputElement} */ (e.target).files?.[0]));
stage.addEventListener('dragover', (e) => {
  e.preventDefault();
  stage.classList.add('dragging');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
stage.addEventListener('drop', (e) => {
  e.preventDefault();
  stage.classList.remove('dragging');
  openFile(e.dataTransfer?.files[0]);
});

// ---- results ----

detector.addEventListener('emotion-progress', (e) => {
  $('status-line').textContent = `loading models… ${pct(e.detail.fraction)}`;
});
detector.addEventListener('emotion-ready', (e) => {
  $('hud-backend').textContent = e.detail.backend;
  $('status-line').textContent = `ready in ${Math.round(e.detail.loadTime)} ms on ${e.detail.backend.toUpperCase()}`;
});
detector.addEventListener('emotion-error', (e) => {
  $('status-line').textContent = `error: ${e.detail.message}`;
  $('faces-empty').hidden = false;
  $('faces-empty').textContent =
    e.detail.code === 'camera-permission-denied' ? 'Camera access was denied. Allow it in the address bar, or try Photos.' : 'Analysis stopped: see the message on the picture.';
});
detector.addEventListener('emotion-faces', (e) => {
  const d = e.detail;
  $('hud-backend').textContent = d.backend;
  $('hud-fps').textContent = d.fps ? d.fps.toFixed(1) : '–';
  $('hud-detect').textContent = d.timings.detection.toFixed(0);
  $('hud-classify').textContent = d.timings.classification.toFixed(0);
  renderFaces(d.faces);
  if (mode === 'camera') {
    if (followed === null || !d.faces.some((f) => f.id === followed)) followed = d.faces[0]?.id ?? null;
    const face = d.faces.find((f) => f.id === followed);
    if (face) {
      timeline.push(performance.now(), face.emotions);
      $('timeline-note').textContent = `face #${face.id} · last 20 s`;
    }
  }
});

/** Keyed by face id, so bars animate instead of being rebuilt. */
const cards = new Map();

/** @param {Face[]} faces */
function renderFaces(faces) {
  $('face-count').textContent = String(faces.length);
  $('faces-empty').hidden = faces.length > 0;
  $('faces-empty').textContent = detector.ready ? 'No face in view.' : 'Looking for faces…';
  const ids = new Set(faces.map((f) => f.id));
  for (const [id, li] of cards) {
    if (!ids.has(id)) {
      li.remove();
      cards.delete(id);
    }
  }
  faces.forEach((face, index) => {
    let li = cards.get(face.id);
    if (!li) {
      li = document.createElement('li');
      li.className = 'face-card';
      li.innerHTML = `<div class="face-title"><span class="swatch" aria-hidden="true"></span><span class="dominant"></span><span class="id"></span></div>${EMOTIONS.map(
        (e) => `<div class="prob" data-e="${e}"><span class="name">${e}</span><span class="track"><span class="fill" style="background:${colorOf(e)}"></span></span><span class="value"></span></div>`,
      ).join('')}`;
      cards.set(face.id, li);
    }
    if (facesList.children[index] !== li) facesList.insertBefore(li, facesList.children[index] ?? null);
    li.querySelector('.swatch').style.background = colorOf(face.dominant);
    li.querySelector('.dominant').textContent = face.dominant;
    li.querySelector('.id').textContent = `#${face.id} · detector ${pct(face.score)}`;
    for (const row of li.querySelectorAll('.prob')) {
      const e = row.getAttribute('data-e');
      const p = face.emotions[e];
      row.querySelector('.fill').style.width = pct(p);
      row.querySelector('.value').textContent = pct(p);
      row.classList.toggle('lead', e === face.dominant);
    }
  });
}

// ---- start ----

// Developer options: ?model=URL (an .onnx with its card beside it), ?backend=wasm|webgpu|auto.
// Set before the element's first update (this module runs right after the bundle it imports).
const params = new URLSearchParams(location.search);
if (params.get('model')) detector.modelSrc = params.get('model');
if (params.get('backend')) {
  detector.backend = /** @type {any} */ (params.get('backend'));
  backendSelect.value = detector.backend;
}

setMode(location.hash === '#camera' ? 'camera' : 'photos');
