// Face tracking: stable ids, time-based smoothing, hysteresis and valence/arousal.
import { expect } from '@open-wc/testing';
import { FaceTracker, type ClassifiedFace } from '../src/tracking/tracker.js';
import { valenceArousal, CIRCUMPLEX } from '../src/tracking/affect.js';
import { iou } from '../src/geometry/box.js';
import { matchBoxes } from '../src/tracking/match.js';
import { smoothingWeight } from '../src/tracking/smoothing.js';
import { EmotionDetectorError } from '../src/errors.js';
import { EMOTIONS, type Box, type Emotion, type EmotionScores } from '../src/types.js';

/** A distribution with `main` at `p` and the rest shared equally. */
function scores(main: Emotion, p = 0.9): EmotionScores {
  const out = {} as EmotionScores;
  for (const e of EMOTIONS) out[e] = e === main ? p : (1 - p) / (EMOTIONS.length - 1);
  return out;
}

function mix(parts: Partial<EmotionScores>): EmotionScores {
  const out = {} as EmotionScores;
  for (const e of EMOTIONS) out[e] = parts[e] ?? 0;
  return out;
}

function face(box: Box, probabilities: EmotionScores = scores('neutral')): ClassifiedFace {
  const c = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const kp = { x: c.x, y: c.y };
  return {
    box,
    score: 0.9,
    keypoints: { rightEye: kp, leftEye: kp, noseTip: kp, mouth: kp, rightEarTragion: kp, leftEarTragion: kp },
    probabilities,
  };
}

const box = (x: number, y: number, size = 100): Box => ({ x, y, width: size, height: size });
const sum = (p: EmotionScores): number => EMOTIONS.reduce((s, e) => s + p[e], 0);

describe('FaceTracker ids', () => {
  it('keeps one id for a face moving across the frame', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0 });
    const ids = new Set<number>();
    // 60 frames at 30 fps, moving 8 px/frame right and 3 px/frame down with some size jitter.
    for (let i = 0; i < 60; i++) {
      const [f] = tracker.update([face(box(50 + 8 * i, 40 + 3 * i, 120 + (i % 3) * 4))], i * 33);
      ids.add(f!.id);
    }
    expect([...ids]).to.have.length(1);
  });

  it('keeps ids of two faces swapping places, including when they pass through each other', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0 });
    // A moves right, B moves left, on the same row, passing through each other (frames 25/26 are
    // 4 px apart). Matching on the last box alone would swap them at frame 26; the tracker
    // predicts each box from its velocity.
    let idA = -1;
    let idB = -1;
    for (let i = 0; i <= 50; i++) {
      const a = face(box(100 + 8 * i, 200), scores('happy'));
      const b = face(box(504 - 8 * i, 200), scores('sad'));
      // Detections come in varying order, as a detector sorted by size would give them.
      const order = i % 2 ? [b, a] : [a, b];
      const out = tracker.update(order, i * 33);
      const outA = out[order.indexOf(a)]!;
      const outB = out[order.indexOf(b)]!;
      if (i === 0) {
        idA = outA.id;
        idB = outB.id;
        expect(idA).to.not.equal(idB);
      }
      expect(outA.id, `frame ${i}: A`).to.equal(idA);
      expect(outB.id, `frame ${i}: B`).to.equal(idB);
    }
  });

  it('gives a new id to a face that appears after another one left', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0, maxMissedMs: 500 });
    const [first] = tracker.update([face(box(100, 100))], 0);
    tracker.update([face(box(102, 100))], 33);
    // The first face leaves; 600 ms later (past maxMissedMs) a face arrives at the same place.
    tracker.update([], 66);
    const [second] = tracker.update([face(box(104, 100))], 700);
    expect(second!.id).to.not.equal(first!.id);
    // A face arriving elsewhere while another is tracked also gets its own id.
    const both = tracker.update([face(box(106, 100)), face(box(600, 300))], 733);
    expect(both[0]!.id).to.equal(second!.id);
    expect(both[1]!.id).to.not.equal(second!.id);
    expect(both[1]!.id).to.not.equal(first!.id);
  });

  it('keeps the id through a short dropout (less than maxMissedMs)', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0, maxMissedMs: 500 });
    const [a] = tracker.update([face(box(100, 100))], 0);
    tracker.update([], 33);
    tracker.update([], 66);
    const [b] = tracker.update([face(box(104, 102))], 300);
    expect(b!.id).to.equal(a!.id);
  });

  it('starts over when time goes backwards, and ids are not reused after reset()', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0 });
    const [a] = tracker.update([face(box(100, 100))], 1000);
    const [b] = tracker.update([face(box(100, 100))], 10);
    expect(b!.id).to.not.equal(a!.id);
    tracker.reset();
    const [c] = tracker.update([face(box(100, 100))], 20);
    expect([a!.id, b!.id]).to.not.include(c!.id);
  });

  it('reports boxes as detected (no lag) and in the input order', () => {
    const tracker = new FaceTracker({ halfLifeMs: 300 });
    tracker.update([face(box(0, 0)), face(box(400, 0))], 0);
    const out = tracker.update([face(box(420, 10)), face(box(20, 5))], 33);
    expect(out[0]!.box).to.deep.equal(box(420, 10));
    expect(out[1]!.box).to.deep.equal(box(20, 5));
    expect(out.map((f) => f.id)).to.deep.equal([2, 1]);
  });
});

describe('FaceTracker smoothing', () => {
  it('is half way through a step change after exactly one half-life', () => {
    const tracker = new FaceTracker({ halfLifeMs: 300 });
    const b = box(100, 100);
    tracker.update([face(b, scores('neutral', 1))], 0);
    const [f] = tracker.update([face(b, scores('happy', 1))], 300);
    expect(f!.emotions.happy).to.be.closeTo(0.5, 1e-9);
    expect(f!.emotions.neutral).to.be.closeTo(0.5, 1e-9);
    expect(f!.rawEmotions.happy).to.equal(1);
    expect(sum(f!.emotions)).to.be.closeTo(1, 1e-9);
  });

  it('does not depend on the frame rate: ten 30 ms steps equal one 300 ms step', () => {
    const tracker = new FaceTracker({ halfLifeMs: 300 });
    tracker.update([face(box(100, 100), scores('neutral', 1))], 0);
    let last: EmotionScores | undefined;
    for (let i = 1; i <= 10; i++) last = tracker.update([face(box(100, 100), scores('happy', 1))], i * 30)[0]!.emotions;
    expect(last!.happy).to.be.closeTo(0.5, 1e-9);
    // Two half-lives: three quarters of the way.
    for (let i = 11; i <= 20; i++) last = tracker.update([face(box(100, 100), scores('happy', 1))], i * 30)[0]!.emotions;
    expect(last!.happy).to.be.closeTo(0.75, 1e-9);
  });

  it('follows the raw probabilities at once with half-life 0', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0 });
    tracker.update([face(box(100, 100), scores('neutral'))], 0);
    const [f] = tracker.update([face(box(100, 100), scores('angry', 0.7))], 33);
    expect(f!.emotions.angry).to.be.closeTo(0.7, 1e-12);
    expect(f!.dominant).to.equal('angry');
  });

  it('re-normalises probabilities that do not sum exactly to 1', () => {
    const tracker = new FaceTracker({ halfLifeMs: 100 });
    const raw = mix({ happy: 0.6, neutral: 0.3 });
    const [f] = tracker.update([face(box(0, 0), raw)], 0);
    expect(sum(f!.emotions)).to.be.closeTo(1, 1e-12);
    expect(f!.emotions.happy).to.be.closeTo(2 / 3, 1e-12);
    expect(f!.rawEmotions).to.deep.equal(raw);
  });

  it('computes the weight as 1 - 2^(-dt / halfLife)', () => {
    expect(smoothingWeight(300, 300)).to.be.closeTo(0.5, 1e-12);
    expect(smoothingWeight(600, 300)).to.be.closeTo(0.75, 1e-12);
    expect(smoothingWeight(33, 0)).to.equal(1);
    expect(smoothingWeight(0, 300)).to.equal(0);
  });
});

describe('FaceTracker dominant emotion (hysteresis)', () => {
  it('does not flip on a near-tie and flips on a clear lead', () => {
    const tracker = new FaceTracker({ halfLifeMs: 0, hysteresis: 0.1 });
    const b = box(100, 100);
    const frame = (p: EmotionScores, t: number) => tracker.update([face(b, p)], t)[0]!;
    expect(frame(mix({ happy: 0.5, neutral: 0.4, sad: 0.1 }), 0).dominant).to.equal('happy');
    // Neutral now leads, but only by 0.06: stays happy.
    const tie = frame(mix({ happy: 0.45, neutral: 0.51, sad: 0.04 }), 33);
    expect(tie.dominant).to.equal('happy');
    // Raw argmax would have flipped; the smoothed scores agree with the raw ones here (half-life 0).
    expect(tie.emotions.neutral).to.be.greaterThan(tie.emotions.happy);
    // A lead of 0.2: switches.
    expect(frame(mix({ happy: 0.35, neutral: 0.55, sad: 0.1 }), 66).dominant).to.equal('neutral');
    // And back only on a clear lead too.
    expect(frame(mix({ happy: 0.5, neutral: 0.45, sad: 0.05 }), 99).dominant).to.equal('neutral');
    expect(frame(mix({ happy: 0.7, neutral: 0.2, sad: 0.1 }), 132).dominant).to.equal('happy');
  });

  it('uses the smoothed scores: a single-frame blip does not change the label', () => {
    const tracker = new FaceTracker({ halfLifeMs: 300 });
    const b = box(100, 100);
    for (let i = 0; i < 10; i++) tracker.update([face(b, scores('happy'))], i * 33);
    const [blip] = tracker.update([face(b, scores('angry'))], 330);
    expect(blip!.rawEmotions.angry).to.be.greaterThan(0.8);
    expect(blip!.dominant).to.equal('happy');
  });
});

describe('valence and arousal', () => {
  it('has the expected signs on the circumplex', () => {
    const va = (e: Emotion) => valenceArousal(scores(e, 1));
    expect(va('happy').valence).to.be.greaterThan(0.5);
    expect(va('sad').valence).to.be.lessThan(-0.5);
    expect(va('sad').arousal).to.be.lessThan(0);
    expect(va('surprise').arousal).to.be.greaterThan(0.5);
    expect(va('angry').arousal).to.be.greaterThan(0.5);
    expect(va('angry').valence).to.be.lessThan(0);
    expect(va('fear').valence).to.be.lessThan(0);
    expect(va('fear').arousal).to.be.greaterThan(0.5);
    expect(va('disgust').valence).to.be.lessThan(-0.5);
    expect(va('neutral')).to.deep.equal({ valence: 0, arousal: 0 });
  });

  it('is the probability-weighted mean and stays in [-1, 1]', () => {
    const p = mix({ happy: 0.5, sad: 0.5 });
    const { valence, arousal } = valenceArousal(p);
    expect(valence).to.be.closeTo((CIRCUMPLEX.happy[0] + CIRCUMPLEX.sad[0]) / 2, 1e-12);
    expect(arousal).to.be.closeTo((CIRCUMPLEX.happy[1] + CIRCUMPLEX.sad[1]) / 2, 1e-12);
    for (const e of EMOTIONS) {
      const r = valenceArousal(scores(e, 1));
      expect(Math.abs(r.valence)).to.be.at.most(1);
      expect(Math.abs(r.arousal)).to.be.at.most(1);
    }
  });

  it('is reported on tracked faces from the smoothed probabilities', () => {
    const tracker = new FaceTracker({ halfLifeMs: 300 });
    tracker.update([face(box(0, 0), scores('neutral', 1))], 0);
    const [f] = tracker.update([face(box(0, 0), scores('happy', 1))], 300);
    expect(f!.valence).to.be.closeTo(valenceArousal(f!.emotions).valence, 1e-12);
    expect(f!.valence).to.be.closeTo(CIRCUMPLEX.happy[0] / 2, 1e-9);
    expect(f!.arousal).to.be.closeTo(CIRCUMPLEX.happy[1] / 2, 1e-9);
  });
});

describe('matching and bad input', () => {
  it('computes IoU and greedy best-overlap pairs', () => {
    expect(iou(box(0, 0), box(0, 0))).to.equal(1);
    expect(iou(box(0, 0), box(50, 0))).to.be.closeTo(50 / 150, 1e-12);
    expect(iou(box(0, 0), box(200, 0))).to.equal(0);
    // Detection 0 overlaps both tracks; it takes track 1 (more overlap), detection 1 gets track 0.
    expect(matchBoxes([box(0, 0), box(40, 0)], [box(50, 0), box(-10, 0)], 0.3)).to.deep.equal([1, 0]);
    expect(matchBoxes([box(0, 0)], [box(90, 0)], 0.3)).to.deep.equal([-1]);
  });

  it('rejects bad options, timestamps and probabilities with EmotionDetectorError', () => {
    expect(() => new FaceTracker({ halfLifeMs: -1 })).to.throw(EmotionDetectorError, /halfLifeMs/);
    expect(() => new FaceTracker({ halfLifeMs: 100, iouThreshold: 0 })).to.throw(EmotionDetectorError, /iouThreshold/);
    expect(() => new FaceTracker({ halfLifeMs: 100, hysteresis: 2 })).to.throw(EmotionDetectorError, /hysteresis/);
    const tracker = new FaceTracker({ halfLifeMs: 100 });
    expect(() => tracker.update([], Number.NaN)).to.throw(EmotionDetectorError, /timestamp/);
    const bad = { ...scores('happy'), sad: Number.NaN };
    expect(() => tracker.update([face(box(0, 0), bad)], 0)).to.throw(EmotionDetectorError, /sad/);
  });
});
