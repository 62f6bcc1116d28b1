/** Messages between the content script, the background and the popup (runtime messaging). */

/** Live numbers a tab reports. */
export interface TabStats {
  /** The page's address (the popup may not see the tab's URL without a host permission). */
  url: string;
  /** On for this site. */
  active: boolean;
  /** Videos being analysed. */
  videos: number;
  /** Faces currently shown. */
  faces: number;
  /** Frames analysed since the site was turned on. */
  analysedFrames: number;
  /** Frames analysed per second, all videos together. */
  fps: number;
  /** Current per-video interval the rate controller settled on, ms. */
  intervalMs: number;
  /** Engine time per analysed frame (detection + classification), ms. */
  frameMs?: number;
  /** What the rate controller saw last round: timer lateness (page busy), main-thread grab cost, engine time (ms). */
  lastRound?: { lateness: number; mainThreadMs: number; engineMs: number };
  engine: 'off' | 'loading' | 'ready' | 'error';
  /** How frames reach the engine: transferred ImageBitmaps or raw pixels. */
  transport?: 'bitmap' | 'pixels';
  /** How long the engine took to load its models and runtimes, ms. */
  loadMs?: number;
  /** Engines started in this tab since the site was turned on (1 unless one failed). */
  engineStarts?: number;
  /** Why the overlay or the engine is not working (then `engine` is 'error'). */
  error?: string;
}

export type ContentToBackground = { type: 'stats'; stats: TabStats };
export type PopupToContent = { type: 'get-stats' };
export type ToBackground =
  | ContentToBackground
  /** Start the content script in a tab where it is not declared (a site the user turned on). */
  | { type: 'inject'; tabId: number }
  /** Keep the content script registered for the sites the user turned on and has permission for. */
  | { type: 'sync-registrations' };

export function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return !!m && typeof m === 'object' && (m as { type?: unknown }).type === type;
}
