import { EmotionDetector } from '@emotion-detector/core';

async function main() {
  const img = document.getElementById('photo');
  await img.decode();
  // `npm run build` copies the assets into dist/emotion-detector/ (emotion-detector-assets).
  const detector = await EmotionDetector.create({ assetsBase: '/emotion-detector/' });
  const { faces } = await detector.detect(img);
  document.getElementById('result').textContent = faces.map((f) => `${f.dominant} ${f.emotions[f.dominant].toFixed(2)}`).join('\n');
  document.body.dataset.faces = String(faces.length);
  await detector.dispose();
}
main().catch((e) => {
  document.body.dataset.error = `${e.code}: ${e.message}`;
});
