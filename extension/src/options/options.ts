/** The options page: drawing, analysis settings, and the sites the user turned on or off. */
import browser from 'webextension-polyfill';
import { siteOf } from '../shared/call-sites.js';
import { loadSettings, saveSettings, onSettingsChanged, type Settings } from '../shared/settings.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function render(s: Settings): void {
  $<HTMLInputElement>('boxes').checked = s.draw.boxes;
  $<HTMLInputElement>('labels').checked = s.draw.labels;
  $<HTMLInputElement>('bars').checked = s.draw.bars;
  $<HTMLInputElement>('rate').value = String(s.rate);
  $<HTMLInputElement>('maxFaces').value = String(s.maxFaces);
  $<HTMLInputElement>('smoothing').value = String(s.smoothing);
  const list = $('sites');
  list.replaceChildren();
  for (const [origin, on] of Object.entries(s.sites)) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = `${origin}: ${on ? 'on' : 'off'}`;
    const reset = document.createElement('button');
    reset.textContent = 'Forget';
    reset.addEventListener('click', async () => {
      const cur = await loadSettings();
      const sites = { ...cur.sites };
      delete sites[origin];
      await saveSettings({ sites });
      const site = siteOf(origin);
      // Give the host permission back too.
      if (site) await browser.permissions.remove({ origins: [site.pattern] }).catch(() => false);
    });
    li.append(name, reset);
    list.append(li);
  }
  if (!list.children.length) list.textContent = 'No site changed from its default.';
}

async function main(): Promise<void> {
  render(await loadSettings());
  onSettingsChanged(render);
  for (const key of ['boxes', 'labels', 'bars'] as const) {
    $<HTMLInputElement>(key).addEventListener('change', async (e) => {
      const cur = await loadSettings();
      await saveSettings({ draw: { ...cur.draw, [key]: (e.target as HTMLInputElement).checked } });
    });
  }
  for (const key of ['rate', 'maxFaces', 'smoothing'] as const) {
    $<HTMLInputElement>(key).addEventListener('change', async (e) => {
      const v = Number((e.target as HTMLInputElement).value);
      if (Number.isFinite(v)) await saveSettings({ [key]: v });
    });
  }
}

void main();
