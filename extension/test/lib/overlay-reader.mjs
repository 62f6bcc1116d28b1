// Reading what the overlay draws. Labels are painted on a canvas in a closed shadow root, so no
// DOM read shows them: the content script keeps a list of what it drew in its own isolated world
// (`globalThis.__emotionDetectorContent.snapshot()`), which page scripts cannot see and DevTools
// can (Runtime.evaluate in that world). For the build before the canvas overlay (labels as DOM
// text in an `emotion-detector-overlay` element), the DOM is read instead, so the same tests can
// be run against that build (EXTENSION_DIR=...) and shown to fail.

const worlds = new WeakMap();

/** The content script worlds (isolated, extension origin) of a page session's frames, newest last. */
async function contentWorlds(cdp) {
  let w = worlds.get(cdp);
  if (!w) {
    w = { contexts: new Map() };
    worlds.set(cdp, w);
    cdp.on('Runtime.executionContextCreated', ({ context }) => {
      if (context.auxData?.type === 'isolated' && context.origin.startsWith('chrome-extension://')) w.contexts.set(context.id, context);
    });
    cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }) => w.contexts.delete(executionContextId));
    cdp.on('Runtime.executionContextsCleared', () => w.contexts.clear());
    await cdp.send('Runtime.enable');
  }
  return [...w.contexts.values()].sort((a, b) => a.id - b.id);
}

/** The content script's own record of what it draws, or null (no content script, or an older build). */
export async function overlaySnapshot(cdp) {
  const contexts = await contentWorlds(cdp);
  for (const c of contexts.reverse()) {
    try {
      const { result } = await cdp.send('Runtime.evaluate', {
        expression: 'globalThis.__emotionDetectorContent?.snapshot?.() ?? null',
        contextId: c.id,
        returnByValue: true,
      });
      if (result.value) return result.value;
    } catch {
      // A context that went away meanwhile.
    }
  }
  return null;
}

const attrOf = (n, name) => {
  const a = n.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
  return undefined;
};

/** The document with every shadow root (closed ones too) and frame owner, through DevTools. */
export async function documentTree(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  return root;
}

/**
 * Overlay hosts in the page: elements whose shadow root holds a canvas, an extension frame or the
 * older build's `.layer` (the test pages' own shadow roots hold none of these). Open roots count
 * too, so a build whose root is open is found, and fails the checks on its host.
 */
export function findHosts(doc) {
  const hosts = [];
  const contains = (n, pred) => pred(n) || [...(n.children ?? []), ...(n.shadowRoots ?? [])].some((c) => contains(c, pred));
  const ours = (n) =>
    n.localName === 'canvas' ||
    (n.localName === 'iframe' && (attrOf(n, 'src') ?? '').startsWith('chrome-extension://')) ||
    (n.localName === 'div' && attrOf(n, 'class') === 'layer');
  const walk = (n) => {
    for (const r of n.shadowRoots ?? []) if (contains(r, ours)) hosts.push({ node: n, root: r });
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
  };
  walk(doc);
  return hosts;
}

/** The older build's overlay: one `div.face` per face, its label text in the DOM. */
async function readDomOverlay(cdp, doc) {
  const faces = [];
  const text = (n) => (n.nodeType === 3 ? n.nodeValue : (n.children ?? []).map(text).join(''));
  const walk = (n, inOverlay) => {
    const overlay = inOverlay || n.localName === 'emotion-detector-overlay';
    if (overlay && n.localName === 'div' && /(^|\s)face(\s|$)/.test(attrOf(n, 'class') ?? '')) faces.push(n);
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c, overlay);
  };
  walk(doc, false);
  const out = [];
  for (const n of faces) {
    const label = (n.children ?? []).find((c) => attrOf(c, 'class') === 'label');
    const bars = (n.children ?? []).find((c) => attrOf(c, 'class') === 'bars');
    let box = null;
    try {
      const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: n.backendNodeId });
      const q = model.border;
      box = { x: q[0], y: q[1], width: q[2] - q[0], height: q[5] - q[1] };
    } catch {
      box = null; // not rendered (display: none)
    }
    out.push({
      label: label ? text(label).trim() : '',
      labelHidden: label ? attrOf(label, 'hidden') !== undefined : true,
      barsShown: bars ? attrOf(bars, 'hidden') === undefined : false,
      hidden: /display:\s*none/.test(attrOf(n, 'style') ?? ''),
      box,
    });
  }
  return out.filter((f) => f.box && !f.hidden);
}

/**
 * Every face the overlay shows now, with its label text and on-screen box (viewport CSS px), and
 * how many overlay hosts the page holds. `source` says where the faces were read.
 */
export async function readOverlay(cdp) {
  const doc = await documentTree(cdp);
  const hosts = findHosts(doc).length;
  const snap = await overlaySnapshot(cdp);
  if (snap && Array.isArray(snap.faces)) {
    const faces = snap.attached
      ? snap.faces.map((f) => ({ label: f.label, labelHidden: !f.labelShown, barsShown: f.barsShown, hidden: false, box: f.box, color: f.color, ageMs: f.ageMs }))
      : [];
    return { hosts, faces, source: 'snapshot', snapshot: snap };
  }
  return { hosts, faces: await readDomOverlay(cdp, doc), source: 'dom', snapshot: null };
}
