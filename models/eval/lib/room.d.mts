// Types for room.mjs (the detector's browser tests import it).
export function paintRoom<C extends HTMLCanvasElement | OffscreenCanvas>(canvas: C, colour: boolean, seed: number): C;
