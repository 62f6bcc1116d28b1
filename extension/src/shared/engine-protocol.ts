/**
 * The protocol between a content script and its engine frame (engine.html, an extension page the
 * content script embeds), and how the engine frame is admitted.
 *
 * Admission: the background mints a random one-time ticket for the requesting tab and frame
 * (`engine-ticket`, from our content script only); the content script puts it in the engine
 * frame's URL hash; the engine page, before it loads any runtime or model, redeems it with the
 * background (`engine-redeem`: our own engine page, in that same tab, the ticket current and
 * unused). Anything else leaves the engine inert: it never answers. Then the content script hands
 * the engine a MessagePort (`connect`, carrying the same ticket).
 *
 * On the port: core's channel (`@emotion-detector/core/channel`: ids, replies, timeouts, typed
 * failures). Frames travel as transferable ImageBitmaps (or raw pixels), so no pixel copy goes
 * through the page and no inference runs on the page's main thread.
 */
import type { Box, Emotion, EmotionScores } from '@emotion-detector/core';

export interface EngineConfig {
  /** Most faces reported per video. */
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
  /** Which video the frame is from: the engine's `stream` (tracking and smoothing are per video). */
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

/** Requests over the channel (each gets one reply). */
export type EngineRequest =
  /** Load the runtimes and models; progress notes `{ fraction }`; reply `EngineStarted`. */
  | { type: 'start'; config: EngineConfig }
  | { type: 'configure'; config: EngineConfig }
  /** Progress notes `{ frame, engineMs }`, one per frame as soon as it is done; reply `EngineResult`. */
  | { type: 'detect'; frames: FrameIn[] }
  /** Videos gone: their streams (faces, ids, smoothing) are dropped. */
  | { type: 'forget'; keys: number[] };

export interface EngineStarted {
  backend: string;
  loadMs: number;
}

export interface EngineResult {
  frames: FrameOut[];
  engineMs: number;
}

export type EngineProgress = { fraction: number } | { frame: FrameOut; engineMs: number };

/**
 * Notices without a reply. `probe`: can an ImageBitmap reach the engine? The engine answers with
 * the event `{ type: 'probe', ok }` (also when the message could not be read at all).
 * `ping`: is the engine alive? Answered at once with the event `{ type: 'pong', n }`, in any
 * state: from the moment the engine listens on its port (admitted), also while it is still loading
 * its runtimes and models (a `start` in progress), as the answer does not queue behind requests.
 */
export type EngineNotice = { type: 'probe'; image: ImageBitmap } | { type: 'ping'; n: number };
export type EngineEvent = { type: 'probe'; ok: boolean } | { type: 'pong'; n: number };

/** Posted to the engine frame's window, with the port as the one transferable. */
export interface ConnectMessage {
  type: 'connect';
  ticket: string;
}

// Runtime messages of the admission (content script / engine page <-> background).

/** Content script -> background: a ticket for an engine in this tab (revokes the tab's previous one). */
export type TicketRequest = { type: 'engine-ticket' };
export type TicketReply = { ok: true; ticket: string } | { ok: false; code: 'not-allowed' | 'too-many-engines'; message: string };
/** Engine page -> background, before it loads anything: is this ticket ours to run on? */
export type RedeemRequest = { type: 'engine-redeem'; ticket: string };
export type RedeemReply = { ok: boolean };
/** Content script -> background: the engine is gone (the overlay stopped). */
export type ReleaseRequest = { type: 'engine-release'; ticket: string };
/** Background -> engine pages: the engine holding this ticket must stop. */
export type RevokeNotice = { type: 'engine-revoked'; ticket: string };
/** Background -> a tab's content script: do you still run the engine of this ticket? Answer: boolean. */
export type HeldQuery = { type: 'engine-held'; ticket: string };

/** Tickets: 32 random bytes, hex. */
export const TICKET_PATTERN = /^[0-9a-f]{64}$/;

export function newTicket(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}
