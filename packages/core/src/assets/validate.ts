/**
 * Cheap checks that a downloaded file is the kind of model we expect, so a server that answers
 * with an HTML error page (or a truncated file) gives 'invalid-model', not a runtime crash later.
 */
import { EmotionDetectorError } from '../errors.js';

export type AssetKind = 'onnx' | 'tflite' | 'wasm' | 'json';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function describe(bytes: Uint8Array): string {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trim().toLowerCase();
  return head.startsWith('<') ? 'an HTML/XML page' : `${bytes.byteLength} bytes of something else`;
}

/** Throws 'invalid-model' when `bytes` is not a plausible file of `kind`. */
export function validateAsset(bytes: Uint8Array, kind: AssetKind, url: string): void {
  let ok: boolean;
  switch (kind) {
    // ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    case 'onnx':
      ok = bytes.byteLength > 16 && bytes[0] === 0x08;
      break;
    // FlatBuffers file identifier at bytes 4..8.
    case 'tflite':
      ok = bytes.byteLength > 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'TFL3';
      break;
    case 'wasm':
      ok = bytes.byteLength > 8 && WASM_MAGIC.every((b, i) => bytes[i] === b);
      break;
    case 'json':
      ok = bytes.byteLength > 1 && !describe(bytes).startsWith('an HTML');
      break;
  }
  if (!ok) {
    throw new EmotionDetectorError('invalid-model', `${url} is not a valid ${kind} file (got ${describe(bytes)})`);
  }
}
