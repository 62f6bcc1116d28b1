// Gives the BlazeFace short-range face detector the TFLite metadata that MediaPipe Tasks needs.
//
// MediaPipe Tasks' FaceDetector refuses a float model without metadata ("requires specifying
// NormalizationOptions metadata"): it reads the input's colour space and normalisation from a
// `TFLITE_METADATA` entry. The model shipped in @mediapipe/face_detection has none, so we add it:
// a ModelMetadata flatbuffer (identifier M001) saying "RGB image, (x - 127.5) / 127.5".
//
// How: a new root Model table is written in front of the untouched original bytes. It points
// forward at the original operator codes, subgraphs and description, and at new `buffers` and
// `metadata` vectors (the original entries plus one buffer holding the metadata). The original's
// own root table stays behind as unreferenced bytes. Deterministic: same input, same output.
import { FlatWriter } from './flatbuffer.mjs';
import { MODEL, readTfliteModel } from './tflite-model.mjs';

export const METADATA_NAME = 'TFLITE_METADATA';
export const NORMALIZATION = { mean: 127.5, std: 127.5 };

// metadata_schema.fbs union tags.
const CONTENT_IMAGE_PROPERTIES = 2;
const PROCESS_UNIT_NORMALIZATION = 1;
const COLOR_SPACE_RGB = 1;
// Where the original bytes start in the output: a multiple of every alignment the original uses
// (buffer data is force_align 16).
const ORIGINAL_ALIGN = 64;

/** The ModelMetadata flatbuffer (metadata_schema.fbs) for the face detector. */
export function buildFaceDetectorMetadata(inputName = 'input', size = 128) {
  const u8 = (value) => ({ kind: 'u8', value });
  const u32 = (value) => ({ kind: 'u32', value });
  const w = new FlatWriter();
  const rootAt = w.put('u32', 0);
  w.bytesOut(new TextEncoder().encode('M001'));
  const tensor = [
    { string: inputName }, // name
    { string: 'RGB image, values normalised to [-1, 1].' }, // description
    undefined, // dimension_names
    {
      table: [
        u8(CONTENT_IMAGE_PROPERTIES), // content_properties_type
        { table: [u8(COLOR_SPACE_RGB), { table: [u32(size), u32(size)] }] }, // ImageProperties {color_space, default_size}
      ],
    }, // content
    { tables: [[u8(PROCESS_UNIT_NORMALIZATION), { table: [{ floats: [NORMALIZATION.mean] }, { floats: [NORMALIZATION.std] }] }]] }, // process_units
    { table: [{ floats: [1] }, { floats: [-1] }] }, // stats {max, min}
  ];
  const subgraph = [undefined, undefined, { tables: [tensor] }]; // input_tensor_metadata
  const root = w.write({
    table: [
      { string: 'BlazeFace short range' }, // name
      { string: 'Face detection for faces within ~2 m of the camera (128x128 input, 896 anchors).' }, // description
      { string: '1' }, // version
      { tables: [subgraph] }, // subgraph_metadata
      { string: 'Google (MediaPipe)' }, // author
      { string: 'Apache-2.0' }, // license
      undefined, // associated_files
      { string: '1.0.0' }, // min_parser_version
    ],
  });
  w.patch(rootAt, root);
  return w.finish();
}

/**
 * Returns a copy of the TFLite model `buf` with face-detector metadata added. A model that already
 * has TFLITE_METADATA (e.g. Google's blaze_face_short_range.tflite) is returned unchanged.
 * @param {Uint8Array} buf
 * @returns {Uint8Array}
 */
export function addFaceDetectorMetadata(buf) {
  const original = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const model = readTfliteModel(original);
  if (model.metadata.some((m) => m.name === METADATA_NAME)) return original.slice();
  const sg = model.subgraphs[0];
  if (!sg || sg.inputs.length !== 1) throw new Error('expected a model with one subgraph and one input');
  const input = sg.tensors[sg.inputs[0]];
  const metadataBytes = buildFaceDetectorMetadata(input.name ?? 'input', input.shape[1] ?? 128);

  const r = model.reader;
  const w = new FlatWriter();
  const later = []; // [slot, position in the original]: patched once we know where it starts
  const rootAt = w.put('u32', 0);
  w.bytesOut(new TextEncoder().encode('TFL3'));

  // New root table: the same fields as the original's, with new buffers and metadata vectors.
  const fieldCount = Math.max(MODEL.metadata + 1, (r.u16(model.root - r.i32(model.root)) - 4) / 2);
  const fields = [];
  for (let id = 0; id < fieldCount; id++) {
    if (id === MODEL.version) fields.push({ kind: 'u32', value: model.version });
    else if (id === MODEL.buffers || id === MODEL.metadata || r.field(model.root, id)) fields.push({ ref: true });
    else fields.push(undefined);
  }
  const root = w.table(fields);
  for (const [id, at] of Object.entries(root.refs)) {
    if (Number(id) !== MODEL.buffers && Number(id) !== MODEL.metadata) later.push([at, r.ref(model.root, Number(id))]);
  }

  const buffers = w.refVector(model.buffers.length + 1);
  w.patch(root.refs[MODEL.buffers], buffers.pos);
  model.buffers.forEach((b, i) => later.push([buffers.slots[i], b.table]));
  const metadata = w.refVector(model.metadata.length + 1);
  w.patch(root.refs[MODEL.metadata], metadata.pos);
  model.metadata.forEach((m, i) => later.push([metadata.slots[i], m.table]));

  const newBuffer = w.table([{ ref: true }]); // Buffer { data }
  w.patch(buffers.slots[model.buffers.length], newBuffer.pos);
  const entry = w.table([{ ref: true }, { kind: 'u32', value: model.buffers.length }]); // Metadata { name, buffer }
  w.patch(metadata.slots[model.metadata.length], entry.pos);
  w.patch(entry.refs[0], w.string(METADATA_NAME));
  w.patch(newBuffer.refs[0], w.byteVector(metadataBytes, 16));

  w.align(ORIGINAL_ALIGN);
  const start = w.pos;
  w.bytesOut(original);
  for (const [slot, target] of later) w.patch(slot, start + target);
  w.patch(rootAt, root.pos);
  return w.finish();
}
