/**
 * Steadies each face's crop over the frames of a video, and predicts where it will be next.
 *
 * A small face's box jitters by 2-3% of its size from frame to frame, and the angle between its eye
 * keypoints by several degrees, while the expression model's scores move with the crop (see
 * models/eval/crop-tolerance.mjs): raw crops make the scores flicker. Per face, an alpha-beta filter
 * (position and velocity of the crop's centre; size and angle smoothed) averages the jitter out
 * without lagging behind a face that moves steadily. Its prediction for the next frame is where the
 * `parallel` pipeline crops a face while the detector is still looking for it.
 */
import type { CropGeometry } from '../geometry/box.js';
import type { Box } from '../types.js';
import { matchBoxes } from './match.js';

interface CropTrack {
  /** The detector's box last frame, to find the face again. */
  box: Box;
  /** The filtered crop at time `t`. */
  crop: CropGeometry;
  /** Velocity of the crop's centre, px/ms. */
  vx: number;
  vy: number;
  t: number;
}

/** Half-life of a measurement's weight (ms): at 30 frames/s, a new crop counts for about 0.44. */
const HALF_LIFE_MS = 40;
/**
 * A crop this far (fraction of its side) or this turned (radians, 20 degrees) from the prediction is
 * not jitter but a jump, or another face: the filter starts over from it.
 */
const RESET_SHIFT = 0.25;
const RESET_TURN = 0.35;
/** Motion is not extrapolated further than this (a face missed for a while is expected where it was). */
const MAX_PREDICT_MS = 100;
/** Least overlap (IoU) of a detection with last frame's box to be the same face. */
const MATCH_IOU = 0.3;

/** Angle difference in (-pi, pi]. */
function turn(a: number, b: number): number {
  const d = (a - b) % (2 * Math.PI);
  return d > Math.PI ? d - 2 * Math.PI : d <= -Math.PI ? d + 2 * Math.PI : d;
}

function predicted(track: CropTrack, t: number): CropGeometry {
  const dt = Math.min(Math.max(0, t - track.t), MAX_PREDICT_MS);
  return { ...track.crop, cx: track.crop.cx + track.vx * dt, cy: track.crop.cy + track.vy * dt };
}

export class CropFilter {
  private tracks: CropTrack[] = [];

  /** Where the crops of the last frame's faces are expected at time `t` (ms). */
  predict(t: number): CropGeometry[] {
    return this.tracks.map((track) => predicted(track, t));
  }

  /**
   * This frame's faces (their boxes, and the crops the model card gives for them) at time `t`:
   * returns the steadied crops, in the same order. A face not in the last frame keeps its crop.
   */
  update(boxes: readonly Box[], crops: readonly CropGeometry[], t: number): CropGeometry[] {
    const pairs = matchBoxes(
      this.tracks.map((track) => track.box),
      boxes,
      MATCH_IOU,
    );
    const next = crops.map((measured, i): CropTrack => {
      const track = this.tracks[pairs[i]!];
      const dt = track ? t - track.t : 0;
      const fresh = { box: boxes[i]!, crop: measured, vx: 0, vy: 0, t };
      if (!track || !(dt > 0)) return fresh;
      const guess = predicted(track, t);
      const rx = measured.cx - guess.cx;
      const ry = measured.cy - guess.cy;
      const rTurn = turn(measured.angle, guess.angle);
      if (Math.hypot(rx, ry) > RESET_SHIFT * measured.side || Math.abs(rTurn) > RESET_TURN) return fresh;
      // Weights for the frame interval: alpha for the state, beta = alpha^2 / (2 - alpha) for the
      // velocity (Benedict-Bordner: damped, no overshoot).
      const alpha = 1 - Math.pow(2, -dt / HALF_LIFE_MS);
      const beta = (alpha * alpha) / (2 - alpha);
      return {
        box: boxes[i]!,
        crop: {
          cx: guess.cx + alpha * rx,
          cy: guess.cy + alpha * ry,
          side: guess.side + alpha * (measured.side - guess.side),
          angle: guess.angle + alpha * rTurn,
        },
        vx: track.vx + (beta * rx) / dt,
        vy: track.vy + (beta * ry) / dt,
        t,
      };
    });
    this.tracks = next;
    return next.map((track) => track.crop);
  }

  /** Forgets every face (a new video, a seek). */
  reset(): void {
    this.tracks = [];
  }
}
