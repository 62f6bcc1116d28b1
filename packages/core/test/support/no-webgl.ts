// A browser with WebGL turned off, for the tests of what the engine and the element do then.
const WEBGL = /^(webgl|webgl2|experimental-webgl)$/;

/** Makes this page's canvases answer getContext('webgl*') with null; returns the undo. */
export function withoutWebGL(): () => void {
  const protos = [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as Array<{ getContext: (...a: unknown[]) => unknown }>;
  const originals = protos.map((p) => p.getContext);
  protos.forEach((p, i) => {
    p.getContext = function (this: unknown, type: unknown, ...rest: unknown[]) {
      return typeof type === 'string' && WEBGL.test(type) ? null : originals[i]!.call(this, type, ...rest);
    };
  });
  return () => protos.forEach((p, i) => (p.getContext = originals[i]!));
}
