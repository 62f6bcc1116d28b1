/**
 * Keeps the set of <video> elements on the page, including those inside open shadow roots, as
 * tiles join and leave. MutationObserver catches insertions; a slow rescan catches shadow roots
 * attached after insertion (attachShadow does not notify observers).
 */
const RESCAN_MS = 3000;

export class VideoWatcher {
  private readonly videos = new Set<HTMLVideoElement>();
  private readonly observed = new WeakSet<Node>();
  private readonly observers: MutationObserver[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `onReady` is called when a newly found video has a picture (a participant joined). */
  constructor(private readonly onReady: () => void = () => {}) {}

  start(): void {
    this.scan(document);
    this.observe(document);
    this.timer = setInterval(() => this.scan(document), RESCAN_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.observers.forEach((o) => o.disconnect());
    this.observers.length = 0;
    this.videos.clear();
  }

  /** Videos still in the document. */
  list(): HTMLVideoElement[] {
    for (const v of this.videos) if (!v.isConnected) this.videos.delete(v);
    return [...this.videos];
  }

  private observe(root: Document | ShadowRoot): void {
    if (this.observed.has(root)) return;
    this.observed.add(root);
    const mo = new MutationObserver((records) => {
      for (const r of records) {
        r.addedNodes.forEach((n) => {
          if (n instanceof Element) this.scan(n);
        });
      }
    });
    mo.observe(root, { childList: true, subtree: true });
    this.observers.push(mo);
  }

  private add(v: HTMLVideoElement): void {
    if (this.videos.has(v)) return;
    this.videos.add(v);
    if (v.readyState >= 2) this.onReady();
    else v.addEventListener('loadeddata', () => this.onReady(), { once: true });
  }

  private scan(root: Document | ShadowRoot | Element): void {
    if (root instanceof HTMLVideoElement) this.add(root);
    if (root instanceof Element && root.shadowRoot) this.enterShadow(root.shadowRoot);
    root.querySelectorAll('video').forEach((v) => this.add(v));
    // Shadow hosts are ordinary elements; only a full walk finds them.
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const sr = (n as Element).shadowRoot;
      if (sr) this.enterShadow(sr);
    }
  }

  private enterShadow(sr: ShadowRoot): void {
    this.observe(sr);
    this.scan(sr);
  }
}
