// A file, not an inline script: the page is served with a CSP without 'unsafe-inline'.
const el = document.querySelector('emotion-detector');
el.addEventListener('emotion-faces', (e) => {
  document.body.dataset.faces = String(e.detail.faces.length);
});
el.addEventListener('emotion-error', (e) => {
  document.body.dataset.error = `${e.detail.code}: ${e.detail.message}`;
});
