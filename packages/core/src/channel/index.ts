/**
 * `@emotion-detector/core/channel`: requests and replies over any MessagePort-like endpoint, with
 * ids, timeouts and typed failures; the engine's own worker client runs on it.
 */
export {
  Channel,
  openWorker,
  serve,
  serializeError,
  buffersOf,
  INIT_TIMEOUT_MS,
  DETECT_TIMEOUT_MS,
  type ChannelOptions,
  type MessageEndpoint,
  type Numbered,
  type ReplyMessage,
  type RequestOptions,
  type SerializedError,
} from './channel.js';
