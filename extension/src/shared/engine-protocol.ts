/**
 * The protocol between a content script and its engine frame (engine.html, an extension page the
 * content script embeds). Frames travel as transferable ImageBitmaps over a MessageChannel, so no
 * pixel copy goes through the page and no inference runs on the page's main thread.
 */
import type { Box, Emotion, EmotionScores } from '../../../packages/core/src/types.js';

export interface EngineConfig {
  maxFaces: number;
  /** Half-life of the per-video emotion smoothing, ms. */
  smoothing: number;
}

/**
 * How frames reach the engine: ImageBitmaps where the browser can transfer them across
 * processes (Chrome), else raw RGBA pixels (an ArrayBuffer always can). Picked by a probe.
 */
export type FrameTransport = 'bitmap' | 'pixels';

/** A frame's picture: transferable either way. */
export type FrameImage = ImageBitmap | ImageData;

export interface FrameIn {
  /** Which video the frame is from (tracking and smoothing are kept per video). */
  key: number;
  image: FrameImage;
}

export interface FaceOut {
  /** Stable per video while the face stays in view. */
  id: number;
  /** In the frame's pixels. */
  box: Box;
  emotions: EmotionScores;
  dominant: Emotion;
}

export interface FrameOut {
  key: number;
  width: number;
  height: number;
  faces: FaceOut[];
}

export type ToEngine =
  | { type: 'connect'; nonce: string; config: EngineConfig }
  | { type: 'configure'; config: EngineConfig }
  /** Can an ImageBitmap reach the engine? Answered with a 'probe' message. */
  | { type: 'probe'; image: ImageBitmap }
  | { type: 'detect'; id: number; frames: FrameIn[] }
  | { type: 'forget'; keys: number[] };

export type FromEngine =
  | { type: 'progress'; fraction: number }
  | { type: 'probe'; ok: boolean }
  | { type: 'ready'; backend: string; loadMs: number }
  | { type: 'error'; code: string; message: string }
  /** One frame done (sent as soon as it is, so a new tile does not wait for the whole batch). */
  | { type: 'frame'; id: number; frame: FrameOut; engineMs: number }
  | { type: 'result'; id: number; frames: FrameOut[]; engineMs: number }
  | { type: 'result-error'; id: number; message: string };
