/**
 * The toolbar popup: on/off for the current site (asking for that site's permission when it is
 * not a call site), what to draw, the analysis rate, and live numbers from the tab.
 */
import browser from 'webextension-polyfill';
import { isCallSite, siteOf } from '../shared/call-sites.js';
import { loadSettings, saveSettings, writeSettings, isSiteEnabled, RATE_CHOICES, type Settings } from '../shared/settings.js';
import type { PopupToContent, TabStats, ToBackground } from '../shared/messages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function currentTab(): Promise<browser.Tabs.Tab | undefined> {
  // ?tab=ID lets the options page (or a test) open the popup for a given tab.
  const fromQuery = Number(new URLSearchParams(location.search).get('tab'));
  if (fromQuery) return browser.tabs.get(fromQuery);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function askTab(tabId: number | undefined): Promise<TabStats | null> {
  if (tabId === undefined) return null;
  const m: PopupToContent = { type: 'get-stats' };
  return ((await browser.tabs.sendMessage(tabId, m).catch(() => null)) as TabStats | null) ?? null;
}

async function main(): Promise<void> {
  const tab = await currentTab();
  // activeTab shows us the URL; where our script already runs, it can tell us too.
  const url = tab?.url ?? (await askTab(tab?.id))?.url;
  const site = url ? siteOf(url) : null;
  let settings: Settings = await loadSettings();
  const enabled = $<HTMLInputElement>('enabled');

  $('site').textContent = site ? new URL(site.origin).host : 'this page';
  enabled.disabled = !site || tab?.id === undefined;
  if (!site) note('The extension cannot run on this page.');
  const render = () => {
    enabled.checked = !!site && !!url && isSiteEnabled(settings, url, site.origin);
    $<HTMLInputElement>('boxes').checked = settings.draw.boxes;
    $<HTMLInputElement>('labels').checked = settings.draw.labels;
    $<HTMLInputElement>('bars').checked = settings.draw.bars;
    $<HTMLSelectElement>('rate').value = String(settings.rate);
  };

  const rate = $<HTMLSelectElement>('rate');
  for (const r of RATE_CHOICES) rate.append(new Option(`${r} frame${r > 1 ? 's' : ''}/s per video`, String(r)));
  if (!RATE_CHOICES.includes(settings.rate as (typeof RATE_CHOICES)[number])) rate.append(new Option(`${settings.rate}/s`, String(settings.rate)));
  render();

  enabled.addEventListener('change', () => {
    if (!site || !tab?.id || !url) return;
    const on = enabled.checked;
    // Everything starts synchronously, inside the click: permissions.request needs the user
    // gesture, and Firefox may close the popup while its permission prompt is open.
    settings = { ...settings, sites: { ...settings.sites, [site.origin]: on } };
    const saved = writeSettings(settings);
    if (!on) return;
    // Ask for this one site so it comes back on after a reload (the background registers the
    // content script when the permission is added). Declining still leaves it on in this tab
    // (activeTab), until the page is reloaded.
    const ask = isCallSite(url) ? Promise.resolve(true) : browser.permissions.request({ origins: [site.pattern] }).catch(() => false);
    const msg: ToBackground = { type: 'inject', tabId: tab.id };
    void saved.then(() => browser.runtime.sendMessage(msg)).catch(() => false);
    void ask.then((granted) => {
      if (!granted) note('On for this tab only: allow access to the site to keep it on after a reload.');
    });
  });
  for (const key of ['boxes', 'labels', 'bars'] as const) {
    $<HTMLInputElement>(key).addEventListener('change', async (e) => {
      settings = await saveSettings({ draw: { ...settings.draw, [key]: (e.target as HTMLInputElement).checked } });
    });
  }
  rate.addEventListener('change', async () => {
    settings = await saveSettings({ rate: Number(rate.value) });
  });
  $('options').addEventListener('click', (e) => {
    e.preventDefault();
    void browser.runtime.openOptionsPage();
  });
  void browser.commands.getAll().then((cmds) => {
    const c = cmds.find((x) => x.name === 'toggle-overlay');
    if (c?.shortcut) $('shortcut').textContent = c.shortcut;
  });

  const refresh = async () => {
    const s = await askTab(tab?.id);
    $('faces').textContent = s?.active ? String(s.faces) : '–';
    $('fps').textContent = s?.active ? s.fps.toFixed(1) : '–';
    $('videos').textContent = s?.active ? String(s.videos) : '–';
    const loaded = s?.loadMs ? ` (loaded in ${(s.loadMs / 1000).toFixed(1)} s)` : '';
    $('engine').textContent = s ? (s.engine === 'error' ? `error: ${s.error ?? ''}` : s.engine + loaded) : 'off';
  };
  void refresh();
  setInterval(() => void refresh(), 500);
}

function note(text: string): void {
  const n = $('note');
  n.textContent = text;
  n.hidden = false;
}

void main();
