/**
 * Content script entry: on when the site is turned on (call sites by default), follows setting
 * changes live, answers the popup's questions and reports the face count for the badge.
 */
import browser from 'webextension-polyfill';
import { isSiteEnabled, loadSettings, onSettingsChanged, type Settings } from '../shared/settings.js';
import { isMessage, type PopupToContent, type TabStats, type ToBackground } from '../shared/messages.js';
import { Analyzer } from './analyzer.js';

const OFF: Omit<TabStats, 'url'> = { active: false, videos: 0, analysedFrames: 0, faces: 0, fps: 0, intervalMs: 0, engine: 'off' };
const flag = globalThis as { __emotionDetectorContent?: boolean };

// Injected both declaratively and on demand: run once per page.
if (!flag.__emotionDetectorContent) {
  flag.__emotionDetectorContent = true;
  void main();
}

async function main(): Promise<void> {
  let settings: Settings = await loadSettings();
  let analyzer: Analyzer | null = null;
  let lastReport = '';
  let reportTimer: ReturnType<typeof setTimeout> | undefined;

  const stats = (): TabStats => ({ ...(analyzer?.stats() ?? OFF), url: location.href });
  // At most one badge update per second, and only when the numbers changed.
  const report = () => {
    if (reportTimer) return;
    reportTimer = setTimeout(() => {
      reportTimer = undefined;
      const s = stats();
      const sig = `${s.active}/${s.faces}/${s.engine}`;
      if (sig === lastReport) return;
      lastReport = sig;
      const msg: ToBackground = { type: 'stats', stats: s };
      browser.runtime.sendMessage(msg).catch(() => {});
    }, 1000);
  };

  let watchdog: ReturnType<typeof setInterval> | undefined;
  const apply = () => {
    const on = isSiteEnabled(settings, location.href, location.origin);
    if (on && !analyzer) {
      analyzer = new Analyzer(settings, report);
      analyzer.start();
      // If the page removed our layer (and the engine frame in it), start over.
      watchdog = setInterval(() => {
        if (analyzer && !analyzer.healthy) {
          clearInterval(watchdog);
          analyzer.stop();
          analyzer = null;
          apply();
        }
      }, 2000);
    } else if (!on && analyzer) {
      clearInterval(watchdog);
      analyzer.stop();
      analyzer = null;
    } else analyzer?.update(settings);
    report();
  };

  onSettingsChanged((s) => {
    settings = s;
    apply();
  });
  browser.runtime.onMessage.addListener((m: unknown) => {
    if (isMessage<PopupToContent>(m, 'get-stats')) return Promise.resolve(stats());
    return undefined;
  });
  apply();
}
