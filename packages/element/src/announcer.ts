/**
 * What the polite live region says, and when: a short summary ("2 faces: happy, neutral"),
 * spoken only when it changed and at most once per `interval`, so a screen reader is not flooded
 * by a 15 fps stream. Pure timing logic; the element owns the DOM node.
 */
import type { Face } from '@emotion-detector/core';

export function summarize(faces: readonly Pick<Face, 'dominant'>[]): string {
  if (faces.length === 0) return 'No faces';
  const label = faces.length === 1 ? '1 face' : `${faces.length} faces`;
  return `${label}: ${faces.map((f) => f.dominant).join(', ')}`;
}

export class Announcer {
  private last = '';
  private lastAt = -Infinity;
  private pending: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly speak: (text: string) => void,
    readonly interval = 2500,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Offer the latest summary; it is spoken now, later (throttled), or never (unchanged). */
  offer(text: string): void {
    if (text === this.last) {
      this.pending = null;
      return;
    }
    const wait = this.lastAt + this.interval - this.now();
    if (wait <= 0) {
      this.flush(text);
      return;
    }
    this.pending = text;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.pending !== null) this.flush(this.pending);
    }, wait);
  }

  private flush(text: string): void {
    this.pending = null;
    this.last = text;
    this.lastAt = this.now();
    this.speak(text);
  }

  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    this.last = '';
    this.lastAt = -Infinity;
  }
}
