/**
 * What the element tells about each analysed frame: `emotion-faces`, `emotion-change` when a
 * face's dominant emotion changes (or a face appears), and the live region's summary.
 */
import type { DetectionResult, Emotion, ResolvedBackend } from '@emotion-detector/core';
import { Announcer, summarize } from './announcer.js';
import { emotionEvent } from './events.js';

export class ResultEvents {
  private dominant = new Map<number, Emotion>();
  private readonly announcer: Announcer;

  constructor(
    private readonly target: EventTarget,
    announce: (text: string) => void,
  ) {
    this.announcer = new Announcer(announce);
  }

  report(result: DetectionResult, fps: number, backend: ResolvedBackend): void {
    this.target.dispatchEvent(emotionEvent('emotion-faces', { ...result, fps, backend }));
    const seen = new Set<number>();
    for (const face of result.faces) {
      seen.add(face.id);
      const from = this.dominant.get(face.id) ?? null;
      if (from !== face.dominant) {
        this.dominant.set(face.id, face.dominant);
        this.target.dispatchEvent(emotionEvent('emotion-change', { id: face.id, from, to: face.dominant, face }));
      }
    }
    for (const id of this.dominant.keys()) if (!seen.has(id)) this.dominant.delete(id);
    this.announcer.offer(summarize(result.faces));
  }

  /** Different pictures: every face is new again. */
  newScene(): void {
    this.dominant.clear();
  }

  /** Detached: nothing pending is spoken. */
  reset(): void {
    this.newScene();
    this.announcer.reset();
  }
}
