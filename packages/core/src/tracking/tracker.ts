/**
 * Follows faces from frame to frame: stable ids (matching boxes by overlap), temporally smoothed
 * probabilities, a hysteresis-stabilised dominant emotion, and valence/arousal. Boxes are reported
 * as detected (never smoothed) so overlays do not lag behind the face.
 */
import { EmotionDetectorError } from '../errors.js';
import { EMOTIONS, type Box, type DetectedFace, type Emotion, type EmotionScores, type Face } from '../types.js';
import { centre } from '../geometry/box.js';
import { valenceArousal } from './affect.js';
import { matchBoxes } from './match.js';
import { blend, dominantWithHysteresis, normalise, smoothingWeight } from './smoothing.js';

export interface FaceTrackerOptions {
  /** Half-life of the probability smoothing in ms; 0 disables smoothing. */
  halfLifeMs: number;
  /** Least overlap (IoU) for a detection to continue a track. Default 0.3. */
  iouThreshold?: number;
  /**
   * A track unseen for longer than this (ms) is dropped; a face seen again later gets a new id. A
   * track seen in the previous update always continues, however long ago that was. Default 500.
   */
  maxMissedMs?: number;
  /** How far (in probability) a new emotion must lead before `dominant` switches. Default 0.1. */
  hysteresis?: number;
  /** Where new ids come from, e.g. a counter shared by the trackers of several streams. Default: 1, 2, 3, ... */
  newId?: () => number;
}

/** Ids 1, 2, 3, ...: each call of the returned function gives the next. */
export function idCounter(): () => number {
  let next = 1;
  return () => next++;
}

export type ClassifiedFace = DetectedFace & { probabilities: EmotionScores };

interface Track {
  id: number;
  box: Box;
  /** Centre velocity in px/ms, used to predict where a moving face is in the next frame. */
  vx: number;
  vy: number;
  seen: number;
  lastSeen: number;
  smoothed: EmotionScores;
  dominant: Emotion;
}

/** Extrapolating motion further than this is guesswork; a missed face is expected near where it was. */
const MAX_PREDICT_MS = 200;
/** Weight of the newest velocity estimate (light smoothing against detector jitter). */
const VELOCITY_WEIGHT = 0.5;

export class FaceTracker {
  private halfLifeMs: number;
  private readonly iouThreshold: number;
  private maxMissedMs: number;
  private readonly hysteresis: number;
  private tracks: Track[] = [];
  private lastTimestamp: number | undefined;
  /** Ids keep increasing across reset() so a stale id is never reused for another face. */
  private readonly newId: () => number;

  constructor(options: FaceTrackerOptions) {
    const { halfLifeMs, iouThreshold = 0.3, maxMissedMs = 500, hysteresis = 0.1, newId = idCounter() } = options;
    const check = (ok: boolean, msg: string): void => {
      if (!ok) throw new EmotionDetectorError('runtime-error', `Invalid tracker option: ${msg}`);
    };
    check(Number.isFinite(halfLifeMs) && halfLifeMs >= 0, `halfLifeMs must be a non-negative number, got ${halfLifeMs}`);
    check(iouThreshold > 0 && iouThreshold <= 1, `iouThreshold must be in (0, 1], got ${iouThreshold}`);
    check(Number.isFinite(maxMissedMs) && maxMissedMs >= 0, `maxMissedMs must be a non-negative number, got ${maxMissedMs}`);
    check(hysteresis >= 0 && hysteresis < 1, `hysteresis must be in [0, 1), got ${hysteresis}`);
    this.halfLifeMs = halfLifeMs;
    this.newId = newId;
    this.iouThreshold = iouThreshold;
    this.maxMissedMs = maxMissedMs;
    this.hysteresis = hysteresis;
  }

  /**
   * Takes this frame's classified faces and returns them as tracked faces, in the same order.
   * A timestamp earlier than the previous one (a seek, a new video) starts over with new tracks;
   * a repeated timestamp adds no time, so it leaves the smoothed scores as they were (unless the
   * half-life is 0).
   */
  update(faces: readonly ClassifiedFace[], timestampMs: number): Face[] {
    if (!Number.isFinite(timestampMs)) {
      throw new EmotionDetectorError('runtime-error', `Invalid timestamp: ${timestampMs} (expected a finite number of ms)`);
    }
    for (const f of faces) checkScores(f.probabilities);
    const previous = this.lastTimestamp;
    if (previous !== undefined && timestampMs < previous) this.tracks = [];
    this.lastTimestamp = timestampMs;
    // A slow stream (a frame a second) must not lose its faces between two frames.
    this.tracks = this.tracks.filter((t) => t.lastSeen === previous || timestampMs - t.lastSeen <= this.maxMissedMs);

    const predicted = this.tracks.map((t) => predict(t, timestampMs));
    const pairs = matchBoxes(predicted, faces.map((f) => f.box), this.iouThreshold);
    // startTrack appends to this.tracks; `pairs` only holds indices of tracks that existed before.
    return faces.map((face, i) => {
      const ti = pairs[i]!;
      const track = ti >= 0 ? this.continueTrack(this.tracks[ti]!, face, timestampMs) : this.startTrack(face, timestampMs);
      return toFace(face, track);
    });
  }

  /** New smoothing half-life and memory (ms) for the next updates; the tracks keep their state. */
  configure({ halfLifeMs, maxMissedMs }: Pick<FaceTrackerOptions, 'halfLifeMs' | 'maxMissedMs'>): void {
    this.halfLifeMs = halfLifeMs;
    if (maxMissedMs !== undefined) this.maxMissedMs = maxMissedMs;
  }

  /** Forgets every track (ids are not reused). */
  reset(): void {
    this.tracks = [];
    this.lastTimestamp = undefined;
  }

  private startTrack(face: ClassifiedFace, t: number): Track {
    const smoothed = normalise(face.probabilities);
    const track: Track = {
      id: this.newId(),
      box: { ...face.box },
      vx: 0,
      vy: 0,
      seen: 1,
      lastSeen: t,
      smoothed,
      dominant: dominantWithHysteresis(smoothed, undefined, this.hysteresis),
    };
    this.tracks.push(track);
    return track;
  }

  private continueTrack(track: Track, face: ClassifiedFace, t: number): Track {
    const dt = t - track.lastSeen;
    if (dt > 0) {
      const now = centre(face.box);
      const was = centre(track.box);
      const vx = (now.x - was.x) / dt;
      const vy = (now.y - was.y) / dt;
      const w = track.seen > 1 ? VELOCITY_WEIGHT : 1;
      track.vx += w * (vx - track.vx);
      track.vy += w * (vy - track.vy);
    }
    track.box = { ...face.box };
    track.seen++;
    track.lastSeen = t;
    track.smoothed = blend(track.smoothed, normalise(face.probabilities), smoothingWeight(dt, this.halfLifeMs));
    track.dominant = dominantWithHysteresis(track.smoothed, track.dominant, this.hysteresis);
    return track;
  }
}

/** Where the track's box should be at `t`, moving at its recent velocity. */
function predict(track: Track, t: number): Box {
  const dt = Math.min(Math.max(t - track.lastSeen, 0), MAX_PREDICT_MS);
  return { ...track.box, x: track.box.x + track.vx * dt, y: track.box.y + track.vy * dt };
}

function toFace(face: ClassifiedFace, track: Track): Face {
  const { valence, arousal } = valenceArousal(track.smoothed);
  return {
    box: face.box,
    keypoints: face.keypoints,
    score: face.score,
    id: track.id,
    emotions: { ...track.smoothed },
    rawEmotions: { ...face.probabilities },
    dominant: track.dominant,
    valence,
    arousal,
  };
}

function checkScores(p: EmotionScores): void {
  for (const e of EMOTIONS) {
    const v = p?.[e];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new EmotionDetectorError('runtime-error', `Invalid emotion probabilities: ${e} is ${String(v)} (expected a finite number >= 0)`);
    }
  }
}
