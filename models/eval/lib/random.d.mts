// Types for random.mjs (the detector's browser tests import it).
export function random(seed: number): () => number;
