// The frames of eval:pipeline (and eval:non-faces): where and how a 48x48 image sits in a 640x480
// frame. eval-pipeline-page.mjs draws them.

/** Frame size: a webcam's 4:3. */
export const W = 640;
export const H = 480;
/**
 * `size`: the face image's side as a fraction of the frame's height (1: the face fills the frame,
 * as in a webcam close-up or a portrait photo). `position`: centre, edge (against the left edge,
 * centred vertically), past (as edge, but a fifth of the face image beyond the frame's edge, as a
 * face partly out of the picture), corner (top left) or anywhere (a place drawn per face with a
 * fixed seed, so that faces also fall across the small-face search's tile borders). `colour`: the
 * grey face tinted to a skin tone.
 */
export const CONDITIONS = [
  ['fill', 1, 'centre', 'grey', false],
  ['fill', 1, 'centre', 'black', false],
  ['fill', 1, 'centre', 'texture', false],
  ['fill', 1, 'edge', 'black', false],
  ['fill', 1, 'edge', 'texture', true],
  ['fill', 1, 'past', 'grey', false],
  ['half', 0.5, 'centre', 'grey', false],
  ['half', 0.5, 'centre', 'black', false],
  ['half', 0.5, 'corner', 'black', false],
  ['half', 0.5, 'edge', 'texture', false],
  ['half', 0.5, 'past', 'grey', false],
  ['half', 0.5, 'past', 'texture', false],
  ['half', 0.5, 'centre', 'texture', true],
  ['fifth', 0.2, 'centre', 'grey', false],
  ['fifth', 0.2, 'corner', 'texture', true],
  ['fifth', 0.2, 'anywhere', 'texture', false],
  ['tenth', 0.1, 'centre', 'grey', false],
  ['tenth', 0.1, 'corner', 'black', false],
  ['tenth', 0.1, 'centre', 'texture', false],
  // The corner on black, parted: a black surround and a corner position each cost the tiles' finds.
  ['tenth', 0.1, 'centre', 'black', false],
  ['tenth', 0.1, 'corner', 'grey', false],
  ['tenth', 0.1, 'edge', 'texture', true],
  ['tenth', 0.1, 'anywhere', 'texture', true],
].map(([label, size, position, background, colour]) => ({
  name: `${label}-${position}-${background}${colour ? '-colour' : ''}`,
  label, size, position, background, colour, width: W, height: H,
}));

/**
 * The conditions an --only value names (comma-separated parts of their names), or `fallback` without
 * one; an Error naming every condition where it names none.
 */
export function conditionsMatching(only, fallback = CONDITIONS) {
  const parts = only?.split(',').filter(Boolean);
  const picked = parts ? CONDITIONS.filter((c) => parts.some((o) => c.name.includes(o))) : fallback;
  return picked.length ? picked : new Error(`no condition matches --only ${only} (${CONDITIONS.map((c) => c.name).join(', ')})`);
}
