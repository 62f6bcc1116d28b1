// The TFLite metadata step (models/face/add-tflite-metadata.mjs) on the real BlazeFace model: the
// output is still a well-formed TFLite flatbuffer with the original graph intact, and carries the
// ModelMetadata (M001) that MediaPipe Tasks reads. (That Tasks accepts it is checked in the
// browser, packages/core/test/face-detector.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addFaceDetectorMetadata, METADATA_NAME } from '../../models/face/add-tflite-metadata.mjs';
import { FlatReader } from '../../models/face/flatbuffer.mjs';
import { readTfliteModel } from '../../models/face/tflite-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const source = fs.readFileSync(path.join(root, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite'));
const original = readTfliteModel(new Uint8Array(source));
const output = addFaceDetectorMetadata(source);
const model = readTfliteModel(output);

/** Reads the ModelMetadata flatbuffer (metadata_schema.fbs) down to the input tensor's fields. */
function readMetadata(bytes) {
  const r = new FlatReader(bytes);
  const meta = r.root();
  const [subgraph] = r.tables(r.ref(meta, 3)); // subgraph_metadata
  const inputs = r.tables(r.ref(subgraph, 2)); // input_tensor_metadata
  const content = r.ref(inputs[0], 3);
  const units = r.tables(r.ref(inputs[0], 4)).map((u) => {
    const options = r.ref(u, 1);
    return { type: r.scalar(u, 0, 'u8'), mean: r.scalars(r.ref(options, 0), 'f32', 4), std: r.scalars(r.ref(options, 1), 'f32', 4) };
  });
  return {
    identifier: r.identifier(),
    name: r.string(meta, 0),
    license: r.string(meta, 5),
    minParserVersion: r.string(meta, 7),
    inputCount: inputs.length,
    inputName: r.string(inputs[0], 0),
    contentType: r.scalar(content, 0, 'u8'),
    colorSpace: r.scalar(r.ref(content, 1), 0, 'u8'),
    units,
  };
}

test('the source model has no metadata (why this step exists)', () => {
  assert.equal(original.metadata.length, 0);
  assert.equal(original.subgraphs.length, 1);
  assert.deepEqual(original.subgraphs[0].tensors[original.subgraphs[0].inputs[0]].shape, [1, 128, 128, 3]);
});

test('the output is a TFLite flatbuffer with the original graph intact', () => {
  assert.equal(model.reader.identifier(), 'TFL3');
  assert.equal(model.version, original.version);
  assert.equal(model.description, original.description);
  assert.deepEqual(model.operatorCodes, original.operatorCodes);
  assert.equal(model.subgraphs.length, 1);
  const [sg] = model.subgraphs;
  const [orig] = original.subgraphs;
  assert.equal(sg.tensors.length, 250);
  assert.deepEqual(sg.tensors, orig.tensors);
  assert.deepEqual(sg.operators, orig.operators);
  assert.deepEqual(sg.inputs, orig.inputs);
  assert.deepEqual(sg.outputs, orig.outputs);
  assert.deepEqual(sg.outputs.map((i) => sg.tensors[i].shape), [[1, 896, 16], [1, 896, 1]]);
  // Every original buffer (the weights) is there, byte for byte, keeping its 16-byte phase.
  assert.equal(model.buffers.length, original.buffers.length + 1);
  original.buffers.forEach((b, i) => {
    assert.deepEqual(model.buffers[i].data, b.data, `buffer ${i}`);
    assert.equal(model.buffers[i].dataStart % 16, b.dataStart % 16, `buffer ${i} alignment`);
  });
  const weights = model.buffers.slice(0, -1).reduce((n, b) => n + b.data.length, 0);
  assert.ok(weights > 200_000, `the weights are reachable (${weights} bytes)`);
});

test('it carries a TFLITE_METADATA entry with the input normalisation MediaPipe needs', () => {
  const entries = model.metadata.filter((m) => m.name === METADATA_NAME);
  assert.equal(entries.length, 1);
  const buffer = model.buffers[entries[0].buffer];
  assert.equal(entries[0].buffer, original.buffers.length, 'points at the new buffer');
  assert.equal(buffer.dataStart % 16, 0, 'buffer data is force_align 16');
  const meta = readMetadata(buffer.data);
  assert.equal(meta.identifier, 'M001');
  assert.equal(meta.name, 'BlazeFace short range');
  assert.equal(meta.license, 'Apache-2.0');
  assert.equal(meta.minParserVersion, '1.0.0');
  assert.equal(meta.inputCount, 1);
  assert.equal(meta.inputName, 'input');
  assert.equal(meta.contentType, 2, 'ImageProperties');
  assert.equal(meta.colorSpace, 1, 'RGB');
  assert.deepEqual(meta.units, [{ type: 1, mean: [127.5], std: [127.5] }], 'one NormalizationOptions unit');
});

test('it is deterministic, and a model that already has metadata is left as it is', () => {
  assert.deepEqual(addFaceDetectorMetadata(source), output);
  assert.deepEqual(addFaceDetectorMetadata(output), output);
});

test('it refuses what is not a TFLite model', () => {
  assert.throws(() => addFaceDetectorMetadata(new TextEncoder().encode('<!doctype html><p>not found</p>')), /not a TFLite model/);
  assert.throws(() => addFaceDetectorMetadata(new Uint8Array(4)), /not a TFLite model/);
});
