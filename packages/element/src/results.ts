/**
 * The element's results: the latest one (what the overlay shows), and what the element tells
 * about each analysed frame: `emotion-faces`, `emotion-change` when a face's dominant emotion
 * changes (or a face appears), and the live region's summary.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DetectionResult, Emotion, ResolvedBackend } from '@emotion-detector/core';
import { Announcer, summarize } from './announcer.js';
import { emotionEvent } from './events.js';

export class ResultEvents implements ReactiveController {
  /** The latest result; null before the first one and after new pictures. */
  result: DetectionResult | null = null;
  /** What the polite live region says. */
  announcement = '';
  private dominant = new Map<number, Emotion>();
  private readonly announcer = new Announcer((text) => {
    this.announcement = text;
    this.host.requestUpdate();
  });

  constructor(private readonly host: ReactiveControllerHost & EventTarget) {
    host.addController(this);
  }

  /** Detached: nothing pending is spoken, and every face is new again. */
  hostDisconnected(): void {
    this.dominant.clear();
    this.announcer.reset();
  }

  report(result: DetectionResult, fps: number, backend: ResolvedBackend): void {
    this.result = result;
    this.host.requestUpdate();
    this.host.dispatchEvent(emotionEvent('emotion-faces', { ...result, fps, backend }));
    const seen = new Set<number>();
    for (const face of result.faces) {
      seen.add(face.id);
      const from = this.dominant.get(face.id) ?? null;
      if (from !== face.dominant) {
        this.dominant.set(face.id, face.dominant);
        this.host.dispatchEvent(emotionEvent('emotion-change', { id: face.id, from, to: face.dominant, face }));
      }
    }
    for (const id of this.dominant.keys()) if (!seen.has(id)) this.dominant.delete(id);
    this.announcer.offer(summarize(result.faces));
  }

  /** Different pictures: no result to show, and every face is new again. */
  newScene(): void {
    if (this.result) this.host.requestUpdate();
    this.result = null;
    this.dominant.clear();
  }
}
