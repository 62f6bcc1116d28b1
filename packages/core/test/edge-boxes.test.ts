// Faces cut by the frame's edge: the box their crop is framed on (FoundFace.extent) covers the
// whole face, past the edge, where the same face's box lies inside the frame. BlazeFace keeps its
// boxes inside its input: without a look past the edge (face-detector.ts, EDGE_LOOK), the box of a
// face reaching 48 px past the left edge had its centre 27.8 px (median) right of where the same
// face's was, 11.4 px left past the right edge; with it 13.0 and 8.8 px (2026-12-06).
// The faces: the sample photos' people cut as FER2013 cuts faces, grey, 240 px square in 640x480.
import { expect } from '@open-wc/testing';
import { EmotionDetector } from '../src/index.js';
import { MediaPipeFaceDetector, type FoundFace } from '../src/detection/face-detector.js';
import { centre, iou } from '../src/geometry/box.js';
import { ASSETS, MODEL, median } from './support/engine.js';
import { flat } from './support/frames.js';
import { sampleCuts } from './support/placed-faces.js';

const W = 640;
const H = 480;
const SIZE = 240;
const Y = (H - SIZE) / 2;
/** How far past the frame's edge the face image reaches: a fifth of it. */
const PAST = 48;
/** Where a face sits wholly inside the frame, and cut by the left and the right edge. */
const INSIDE = 200;
const LEFT = -PAST;
const RIGHT = W - SIZE + PAST;

function frameWith(cut: HTMLCanvasElement, x: number): HTMLCanvasElement {
  const frame = flat('#808080');
  const g = frame.getContext('2d')!;
  g.imageSmoothingQuality = 'high';
  g.drawImage(cut, x, Y, SIZE, SIZE);
  return frame;
}

/** The face found over the face image drawn at `x` (its box's centre in it), if any. */
function faceAt(faces: readonly FoundFace[], x: number): FoundFace | undefined {
  return faces.find((f) => {
    const c = centre(f.box);
    return c.x >= Math.max(0, x) && c.x <= Math.min(W, x + SIZE) && c.y >= Y && c.y <= Y + SIZE;
  });
}

describe("faces cut by the frame's edge", function () {
  this.timeout(600_000);

  it("frames the crop on the whole face, past the frame's edge (centre within 7.5% of the face's side of the same face inside the frame)", async () => {
    const engine = await EmotionDetector.create({ assetsBase: ASSETS, model: MODEL, backend: 'wasm', numThreads: 1 });
    const cuts = await sampleCuts(engine, [1.0]).finally(() => engine.dispose());
    const detector = await MediaPipeFaceDetector.create({ wasmBase: `${ASSETS}mediapipe`, model: `${ASSETS}models/face/face_detection_short_range.tflite`, minConfidence: 0.5, maxFaces: 4, smallFaces: true });
    try {
      const shifts: Record<'left' | 'right', number[]> = { left: [], right: [] };
      const innerEdges: Record<'left' | 'right', number[]> = { left: [], right: [] };
      for (const cut of cuts) {
        const inside = faceAt(detector.detect(frameWith(cut, INSIDE), W, H).faces, INSIDE);
        if (!inside) continue;
        for (const [side, x] of [['left', LEFT], ['right', RIGHT]] as const) {
          const cutOff = faceAt(detector.detect(frameWith(cut, x), W, H).faces, x);
          if (!cutOff) continue;
          // The box shown stays in the frame; the crop's box reaches past it.
          const { box, extent } = cutOff;
          expect(box.x >= 0 && box.x + box.width <= W, 'box clipped to the frame').to.equal(true);
          expect(iou(box, extent), 'box and extent are one face').to.be.above(0.5);
          shifts[side].push(centre(extent).x - x - (centre(inside.extent).x - INSIDE));
          // The box's edge inside the frame (the one a page draws): where the same face's is.
          const inner = side === 'left' ? box.x + box.width - x - (inside.box.x + inside.box.width - INSIDE) : box.x - x - (inside.box.x - INSIDE);
          innerEdges[side].push(inner);
        }
      }
      console.log(`edge boxes: extent centre minus the same face's inside the frame, median px: left ${median(shifts.left).toFixed(1)} (${shifts.left.length} faces), right ${median(shifts.right).toFixed(1)} (${shifts.right.length}); the box's inner edge, left ${median(innerEdges.left).toFixed(1)}, right ${median(innerEdges.right).toFixed(1)}`);
      for (const side of ['left', 'right'] as const) {
        expect(shifts[side].length, `${side}: faces found`).to.be.at.least(Math.ceil(0.8 * cuts.length));
        // Inwards is positive on the left, negative on the right.
        expect(Math.abs(median(shifts[side])), `${side}: median shift (px)`).to.be.below(0.075 * SIZE);
      }
    } finally {
      detector.close();
    }
  });
});
