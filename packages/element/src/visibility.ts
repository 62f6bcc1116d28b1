/**
 * Whether the element can be seen: in the viewport (IntersectionObserver) and on a shown page
 * (document.visibilityState). The element analyses and keeps the camera on only while visible,
 * and with `loading="lazy"` loads the engine once first `seen`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class VisibilityController implements ReactiveController {
  private inViewport = false;
  private observer: IntersectionObserver | null = null;
  /** Has been in the viewport at least once. */
  seen = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Called after every change (in the viewport or not, page shown or hidden). */
    private readonly onChange: () => void,
  ) {
    host.addController(this);
  }

  get pageShown(): boolean {
    return document.visibilityState !== 'hidden';
  }

  /** In the viewport of a shown page. */
  get visible(): boolean {
    return this.inViewport && this.pageShown;
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onChange);
    this.observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry || entry.isIntersecting === this.inViewport) return;
      this.inViewport = entry.isIntersecting;
      if (this.inViewport && !this.seen) {
        this.seen = true;
        this.host.requestUpdate(); // lazy loading starts
      }
      this.onChange();
    });
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onChange);
    this.observer?.disconnect();
    this.observer = null;
    this.inViewport = false;
  }
}
