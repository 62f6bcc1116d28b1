// Types for draw-finds.mjs (the detector's browser tests import it).
interface Find {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  keypoints?: Partial<Record<'leftEye' | 'rightEye' | 'noseTip' | 'mouth', { x: number; y: number }>>;
}
export function drawFinds(image: CanvasImageSource & { width: number; height: number }, faces: readonly Find[]): Promise<string>;
