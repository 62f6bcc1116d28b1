// The manifest, per browser. One source of truth for the call sites (content script matches)
// and the permissions, each of which the README explains.

/** Call sites where the extension is on out of the box. */
export const CALL_SITE_MATCHES = [
  'https://meet.google.com/*',
  'https://*.zoom.us/*',
  'https://teams.microsoft.com/*',
  'https://teams.live.com/*',
  'https://teams.cloud.microsoft/*',
  'https://meet.jit.si/*',
  'https://8x8.vc/*',
  'https://*.whereby.com/*',
];

/** Test builds also run on the local test server (never in a release build). */
export const TEST_MATCHES = ['http://localhost/*'];

export const GECKO_ID = 'emotion-detector@emotion-detector.dev';

/**
 * @param {{ browser: 'chrome' | 'firefox', version: string, matches: string[] }} o
 */
export function manifest({ browser, version, matches }) {
  const icons = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' };
  const m = {
    manifest_version: 3,
    name: 'Emotion Detector for video calls',
    short_name: 'Emotion Detector',
    version,
    description: 'Shows the facial expression of each person in a video call, computed on this device. No data leaves the browser.',
    icons,
    action: { default_title: 'Emotion Detector', default_popup: 'popup.html', default_icon: icons },
    options_ui: { page: 'options.html', open_in_tab: true },
    background: browser === 'chrome' ? { service_worker: 'background.js' } : { scripts: ['background.js'] },
    // storage: settings; activeTab + scripting: start on the current tab when the user asks;
    // no host permission at install beyond the call sites' content scripts.
    permissions: ['storage', 'activeTab', 'scripting'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    content_scripts: [{ matches, js: ['content.js'], run_at: 'document_idle', all_frames: false }],
    // Only the engine frame may be embedded by pages (the content script embeds it). Chromium:
    // only at a per-session address (use_dynamic_url; runtime.getURL gives it), so a page can
    // neither load nor probe chrome-extension://<id>/engine.html. Firefox has no use_dynamic_url
    // (its moz-extension:// UUID is random per install already: see the README).
    web_accessible_resources: [
      { resources: ['engine.html'], matches: ['https://*/*', 'http://*/*'], ...(browser === 'chrome' ? { use_dynamic_url: true } : {}) },
    ],
    commands: {
      'toggle-overlay': {
        suggested_key: { default: 'Alt+Shift+E' },
        description: 'Turn the emotion overlay on or off for this site',
      },
    },
    // WebAssembly (MediaPipe, ONNX Runtime) in our own pages; still no remote or eval'd code.
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
  };
  if (browser === 'chrome') m.minimum_chrome_version = '116';
  if (browser === 'firefox') {
    // data_collection_permissions ('none': we collect nothing) needs Firefox 140 / Android 142.
    m.browser_specific_settings = {
      gecko: { id: GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
      gecko_android: { strict_min_version: '142.0' },
    };
  }
  return m;
}
