// Is the overlay on screen? Each face's box border, sampled in a screenshot of the page, must have
// an expression colour: then it is drawn and nothing hides or covers it.
import { decodePng, hexToRgb, near } from './png.mjs';

/** This build's palette (core's EMOTION_COLORS) and the older build's, for running against it. */
const PALETTE = [
  '#ef4444', '#84cc16', '#a855f7', '#facc15', '#3b82f6', '#f97316', '#94a3b8',
  '#e53935', '#7cb342', '#8e24aa', '#fdd835', '#1e88e5', '#fb8c00', '#9e9e9e',
].map(hexToRgb);

/**
 * For each face (boxes in viewport CSS px, as readOverlay gives them), whether its left and top
 * borders show in a screenshot in its colour (or, without one, in any expression colour). Boxes
 * move a little between the read and the screenshot (tracking): each border is looked for within
 * 4 px of where it was, at three points along it, and two of them must match.
 */
export async function facesOnScreen(page, faces) {
  const shot = decodePng(Buffer.from(await page.screenshot({ type: 'png' })));
  const dpr = shot.width / (await page.evaluate(() => innerWidth));
  const px = (x, y) => shot.pixel(Math.max(0, Math.min(shot.width - 1, x * dpr)), Math.max(0, Math.min(shot.height - 1, y * dpr)));
  return faces.map((f) => {
    const colours = f.color ? [hexToRgb(f.color)] : PALETTE;
    const match = (p) => colours.some((c) => near(p, c, 30));
    const { x, y, width: w, height: h } = f.box;
    const hits = (points, along) => points.filter(([cx, cy]) => [-4, -3, -2, -1, 0, 1, 2, 3, 4].some((d) => match(along === 'x' ? px(cx + d, cy) : px(cx, cy + d)))).length;
    const left = hits([[x + 1, y + h * 0.3], [x + 1, y + h * 0.5], [x + 1, y + h * 0.7]], 'x');
    const top = hits([[x + w * 0.3, y + 1], [x + w * 0.5, y + 1], [x + w * 0.7, y + 1]], 'y');
    return { label: f.label, shown: left >= 2 && top >= 2, left, top };
  });
}
