/**
 * Content script entry: on when the site is turned on (call sites by default), follows setting
 * changes live, answers the popup's questions and reports the face count for the badge.
 *
 * When the extension is reloaded, disabled or removed, this script is orphaned: it keeps running
 * but can no longer reach the extension (`runtime.id` reads undefined, messaging throws). It
 * checks every ORPHAN_CHECK_MS and then stops and removes everything it drew, engine frame
 * included.
 */
import browser from 'webextension-polyfill';
import { isSiteEnabled, loadSettings, onSettingsChanged, type Settings } from '../shared/settings.js';
import { isMessage, type PopupToContent, type TabStats, type ToBackground } from '../shared/messages.js';
import { Analyzer } from './analyzer.js';

const OFF: Omit<TabStats, 'url'> = { active: false, videos: 0, analysedFrames: 0, faces: 0, fps: 0, intervalMs: 0, engine: 'off' };
const ORPHAN_CHECK_MS = 1000;

/**
 * Lives in this script's isolated world: page scripts cannot see it. `snapshot` is what the
 * tests read (through DevTools) to know what the overlay draws.
 */
interface Running {
  snapshot: () => unknown;
  stop: () => void;
}
const scope = globalThis as { __emotionDetectorContent?: Running };

// Injected both declaratively and on demand: run once per page (a stopped, orphaned copy steps aside).
if (!scope.__emotionDetectorContent) void main();

/** False once the extension that injected us is gone (reloaded, disabled, removed). */
function extensionAlive(): boolean {
  try {
    return !!(globalThis as { chrome?: { runtime?: { id?: string } } }).chrome?.runtime?.id || !!browser.runtime?.id;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  let analyzer: Analyzer | null = null;
  let stopped = false;
  let reportTimer: ReturnType<typeof setTimeout> | undefined;
  // The orphan check: cheap, and works in every browser (no port to keep the background awake).
  const orphanCheck = setInterval(() => {
    if (!extensionAlive()) stop();
  }, ORPHAN_CHECK_MS);
  const running: Running = { snapshot: () => analyzer?.snapshot() ?? null, stop: () => stop() };
  scope.__emotionDetectorContent = running;

  let settings: Settings;
  try {
    settings = await loadSettings();
  } catch {
    return stop();
  }
  let lastReport = '';

  const stats = (): TabStats => ({ ...(analyzer?.stats() ?? OFF), url: location.href });
  // At most one badge update per second, and only when the numbers changed.
  const report = () => {
    if (reportTimer || stopped) return;
    reportTimer = setTimeout(() => {
      reportTimer = undefined;
      if (!extensionAlive()) return stop();
      const s = stats();
      const sig = `${s.active}/${s.faces}/${s.engine}/${s.error ?? ''}`;
      if (sig === lastReport) return;
      lastReport = sig;
      const msg: ToBackground = { type: 'stats', stats: s };
      browser.runtime.sendMessage(msg).catch(() => {
        if (!extensionAlive()) stop();
      });
    }, 1000);
  };

  const apply = () => {
    if (stopped) return;
    const on = isSiteEnabled(settings, location.href, location.origin);
    if (on && !analyzer) {
      analyzer = new Analyzer(settings, report);
      analyzer.start();
    } else if (!on && analyzer) {
      analyzer.stop();
      analyzer = null;
    } else analyzer?.update(settings);
    report();
  };

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(orphanCheck);
    clearTimeout(reportTimer);
    analyzer?.stop();
    analyzer = null;
    if (scope.__emotionDetectorContent === running) delete scope.__emotionDetectorContent;
  }

  onSettingsChanged((s) => {
    settings = s;
    apply();
  });
  browser.runtime.onMessage.addListener((m: unknown) => {
    if (stopped) return undefined;
    if (isMessage<PopupToContent>(m, 'get-stats')) return Promise.resolve(stats());
    return undefined;
  });
  apply();
}
