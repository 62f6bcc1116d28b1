// A small deterministic random generator (mulberry32): the same seed draws the same numbers in
// Node and in the browser, so every run of an evaluation samples, moves and renders alike.

/** Numbers in [0, 1), from `seed`. */
export function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
