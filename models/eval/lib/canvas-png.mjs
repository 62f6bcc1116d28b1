// A canvas as base64 PNG, the form in which the evaluation pages and browser tests hand pictures back
// to Node (page.evaluate's result, a test's writeFile).

/** `canvas` (a canvas element or an OffscreenCanvas) encoded as PNG, in base64. */
export async function pngBase64(canvas) {
  const blob = 'convertToBlob' in canvas
    ? await canvas.convertToBlob({ type: 'image/png' })
    : await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  // In pieces: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
