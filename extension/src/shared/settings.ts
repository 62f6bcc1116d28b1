/** User settings, kept in storage.local (never storage.sync: that would leave the device). */
import browser from 'webextension-polyfill';
import { isCallSite } from './call-sites.js';

export interface DrawOptions {
  boxes: boolean;
  labels: boolean;
  bars: boolean;
}

export interface Settings {
  draw: DrawOptions;
  /** Target analysis rate per video, frames per second; lowered automatically when busy. */
  rate: number;
  /** Most faces per video. */
  maxFaces: number;
  /** Half-life of the emotion smoothing, ms. */
  smoothing: number;
  /** Per-origin choice; an origin not listed is on for call sites and off elsewhere. */
  sites: Record<string, boolean>;
  /**
   * Advanced (no UI): how frames reach the engine. 'auto' probes whether ImageBitmaps can be
   * transferred to the engine's process and falls back to raw pixels.
   */
  transport: 'auto' | 'pixels';
}

export const DEFAULT_SETTINGS: Settings = {
  draw: { boxes: true, labels: true, bars: false },
  rate: 4,
  maxFaces: 4,
  smoothing: 400,
  sites: {},
  transport: 'auto',
};

export const RATE_CHOICES = [1, 2, 4, 8, 15] as const;

const KEY = 'settings';

export function normalizeSettings(raw: unknown): Settings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<Settings>;
  const num = (v: unknown, lo: number, hi: number, d: number) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : d;
  const draw = (s.draw ?? {}) as Partial<DrawOptions>;
  return {
    draw: {
      boxes: typeof draw.boxes === 'boolean' ? draw.boxes : DEFAULT_SETTINGS.draw.boxes,
      labels: typeof draw.labels === 'boolean' ? draw.labels : DEFAULT_SETTINGS.draw.labels,
      bars: typeof draw.bars === 'boolean' ? draw.bars : DEFAULT_SETTINGS.draw.bars,
    },
    rate: num(s.rate, 0.5, 30, DEFAULT_SETTINGS.rate),
    maxFaces: Math.round(num(s.maxFaces, 1, 16, DEFAULT_SETTINGS.maxFaces)),
    smoothing: num(s.smoothing, 0, 5000, DEFAULT_SETTINGS.smoothing),
    sites: s.sites && typeof s.sites === 'object' ? { ...s.sites } : {},
    transport: s.transport === 'pixels' ? 'pixels' : 'auto',
  };
}

export async function loadSettings(): Promise<Settings> {
  const got = await browser.storage.local.get(KEY);
  return normalizeSettings(got[KEY]);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = normalizeSettings({ ...(await loadSettings()), ...patch });
  await browser.storage.local.set({ [KEY]: next });
  return next;
}

/** Writes a whole settings object at once (no read first: callable synchronously in a click handler). */
export function writeSettings(s: Settings): Promise<void> {
  return browser.storage.local.set({ [KEY]: normalizeSettings(s) });
}

/** Calls `fn` whenever the settings change (from the popup, the options page or a shortcut). */
export function onSettingsChanged(fn: (s: Settings) => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[KEY]) fn(normalizeSettings(changes[KEY].newValue));
  });
}

export function isSiteEnabled(settings: Settings, url: string, origin: string): boolean {
  return settings.sites[origin] ?? isCallSite(url);
}
