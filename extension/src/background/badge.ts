/**
 * The toolbar button's state for a tab: the badge text ("!" on an error, else the face count),
 * its colour and the title (which names the error).
 */
import type { TabStats } from '../shared/messages.js';

/** The part of `browser.action` the badge writes. */
export interface BadgeAction {
  setTitle(details: { tabId: number; title: string }): Promise<void>;
  setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
  setBadgeText(details: { tabId: number; text: string }): Promise<void>;
}

const ERROR_COLOR = '#d93025';
const COUNT_COLOR = '#1a73e8';

/**
 * A function that shows a tab's stats on the button. The three writes are separate calls, so a
 * reader can see the button between them: a tab's updates are applied one after another, each
 * whole, and ordered so that whoever reads "!" on the badge reads the error in the title too.
 */
export function badgeWriter(action: BadgeAction): (tabId: number, stats: TabStats) => Promise<void> {
  const pending = new Map<number, Promise<void>>();
  const apply = async (tabId: number, stats: TabStats): Promise<void> => {
    const error = stats.active && stats.engine === 'error';
    const text = stats.active ? (error ? '!' : stats.faces ? String(stats.faces) : '') : '';
    const title = () => action.setTitle({ tabId, title: error ? `Emotion Detector: error: ${stats.error ?? ''}` : 'Emotion Detector' });
    const color = () => action.setBadgeBackgroundColor({ tabId, color: error ? ERROR_COLOR : COUNT_COLOR });
    const badge = () => action.setBadgeText({ tabId, text });
    // Into an error the text comes last, out of one first, so "!" is never read beside a title
    // that does not name the error, nor on the count's colour.
    for (const write of error ? [title, color, badge] : [badge, color, title]) await write();
  };
  return (tabId, stats) => {
    const run = () => apply(tabId, stats);
    // After the tab's previous update, whether or not it failed (a closed tab's writes throw).
    const next = (pending.get(tabId) ?? Promise.resolve()).then(run, run);
    pending.set(tabId, next);
    const forget = (): void => { if (pending.get(tabId) === next) pending.delete(tabId); };
    next.then(forget, forget);
    return next;
  };
}
