/**
 * Background (service worker in Chrome, event page in Firefox): the badge, the keyboard
 * shortcut, content-script registration for the extra sites the user turned on, and the tickets
 * that admit engine frames (engine-tickets.ts).
 */
import browser from 'webextension-polyfill';
import { isCallSite, siteOf } from '../shared/call-sites.js';
import { loadSettings, saveSettings, isSiteEnabled, onSettingsChanged } from '../shared/settings.js';
import { isMessage, type ContentToBackground, type PopupToContent, type ToBackground } from '../shared/messages.js';
import type { RedeemRequest, ReleaseRequest, TicketRequest } from '../shared/engine-protocol.js';
import { badgeWriter } from './badge.js';
import { forgetTab, mintTicket, redeemTicket, releaseTicket } from './engine-tickets.js';

const SCRIPT_PREFIX = 'site:';

/** Shows a tab's stats on the toolbar button (badge.ts). */
const setBadge = badgeWriter(browser.action);

/** Is our content script already running in the tab? */
async function hasContentScript(tabId: number): Promise<boolean> {
  try {
    const m: PopupToContent = { type: 'get-stats' };
    await browser.tabs.sendMessage(tabId, m);
    return true;
  } catch {
    return false;
  }
}

/** Runs the content script in a tab now (allowed by activeTab or a granted host permission). */
async function inject(tabId: number): Promise<void> {
  if (await hasContentScript(tabId)) return;
  await browser.scripting.executeScript({ target: { tabId }, files: ['content.js'] });
}

/**
 * Every site the user turned on, and whose host permission they granted, gets our content script
 * on each visit. Call sites have it from the manifest already.
 */
async function syncRegistrations(): Promise<void> {
  const settings = await loadSettings();
  const wanted = new Map<string, string>();
  for (const [origin, on] of Object.entries(settings.sites)) {
    const site = siteOf(origin);
    if (!on || !site || isCallSite(origin + '/')) continue;
    if (await browser.permissions.contains({ origins: [site.pattern] })) wanted.set(SCRIPT_PREFIX + origin, site.pattern);
  }
  const existing = await browser.scripting.getRegisteredContentScripts();
  const stale = existing.filter((s) => s.id.startsWith(SCRIPT_PREFIX) && !wanted.has(s.id)).map((s) => s.id);
  if (stale.length) await browser.scripting.unregisterContentScripts({ ids: stale });
  const have = new Set(existing.map((s) => s.id));
  const add = [...wanted].filter(([id]) => !have.has(id));
  if (add.length) {
    await browser.scripting.registerContentScripts(
      add.map(([id, pattern]) => ({ id, matches: [pattern], js: ['content.js'], runAt: 'document_idle' as const, persistAcrossSessions: true })),
    );
  }
}

/** The keyboard shortcut: flips the current site and starts the script there if needed. */
async function toggleTab(tab: browser.Tabs.Tab): Promise<void> {
  if (tab.id === undefined || !tab.url) return;
  const site = siteOf(tab.url);
  if (!site) return;
  const settings = await loadSettings();
  const on = !isSiteEnabled(settings, tab.url, site.origin);
  await saveSettings({ sites: { ...settings.sites, [site.origin]: on } });
  if (on) await inject(tab.id).catch(() => {});
}

browser.runtime.onMessage.addListener((m: unknown, sender: browser.Runtime.MessageSender) => {
  if (isMessage<TicketRequest>(m, 'engine-ticket')) return mintTicket(sender);
  if (isMessage<RedeemRequest>(m, 'engine-redeem')) return redeemTicket(m.ticket, sender);
  if (isMessage<ReleaseRequest>(m, 'engine-release')) return releaseTicket(m.ticket, sender).then(() => true);
  if (isMessage<ContentToBackground>(m, 'stats')) {
    if (sender.tab?.id !== undefined) void setBadge(sender.tab.id, m.stats).catch(() => {});
    return undefined;
  }
  const msg = m as ToBackground;
  if (isMessage<Extract<ToBackground, { type: 'inject' }>>(msg, 'inject')) return inject(msg.tabId).then(() => true, () => false);
  if (isMessage<Extract<ToBackground, { type: 'sync-registrations' }>>(msg, 'sync-registrations')) return syncRegistrations().then(() => true);
  return undefined;
});

browser.commands.onCommand.addListener((command, tab) => {
  if (command !== 'toggle-overlay') return;
  const get = tab ? Promise.resolve(tab) : browser.tabs.query({ active: true, currentWindow: true }).then((t) => t[0]);
  void get.then((t) => (t ? toggleTab(t) : undefined)).catch(() => {});
});

browser.tabs.onRemoved.addListener((tabId) => void forgetTab(tabId).catch(() => {}));
browser.runtime.onInstalled.addListener(() => void syncRegistrations().catch(() => {}));
browser.runtime.onStartup.addListener(() => void syncRegistrations().catch(() => {}));
browser.permissions.onAdded.addListener(() => void syncRegistrations().catch(() => {}));
browser.permissions.onRemoved.addListener(() => void syncRegistrations().catch(() => {}));
onSettingsChanged(() => void syncRegistrations().catch(() => {}));
