import '@emotion-detector/element/define';

const el = document.querySelector('emotion-detector')!;
const out = document.querySelector('#result')!;
el.addEventListener('emotion-faces', (e) => {
  const { faces } = e.detail;
  out.textContent = faces.map((f) => f.dominant).join(', ');
  document.body.dataset.faces = String(faces.length);
});
el.addEventListener('emotion-error', (e) => {
  document.body.dataset.error = `${e.detail.code}: ${e.detail.message}`;
});
