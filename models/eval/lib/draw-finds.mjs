// Debug pictures of a detector's finds, for eval:detector (--out) and the detector's browser tests
// (test/artifacts/): the image at most 960 pixels wide, each box with its score, and the keypoints
// where a find has them (left eye green, right eye red, nose tip yellow, mouth magenta).
import { pngBase64 } from './canvas-png.mjs';

const KEYPOINTS = [['leftEye', '#0f0'], ['rightEye', '#f00'], ['noseTip', '#ff0'], ['mouth', '#f0f']];

/** The picture as base64 PNG (what a test's writeFile and eval:detector's output take). */
export async function drawFinds(image, faces) {
  const scale = Math.min(1, 960 / image.width);
  const canvas = new OffscreenCanvas(Math.round(image.width * scale), Math.round(image.height * scale));
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 2;
  ctx.font = '14px sans-serif';
  for (const f of faces) {
    ctx.strokeStyle = ctx.fillStyle = '#00e5ff';
    ctx.strokeRect(f.box.x * scale, f.box.y * scale, f.box.width * scale, f.box.height * scale);
    ctx.fillText(f.score.toFixed(2), f.box.x * scale, f.box.y * scale - 4);
    for (const [name, colour] of KEYPOINTS) {
      const p = f.keypoints?.[name];
      if (!p) continue;
      ctx.fillStyle = colour;
      ctx.fillRect(p.x * scale - 2, p.y * scale - 2, 4, 4);
    }
  }
  return pngBase64(canvas);
}
