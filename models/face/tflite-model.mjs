// Reads the parts of a TFLite model (schema.fbs, identifier TFL3) that the metadata step and its
// tests look at. Field ids from tensorflow/lite/schema/schema.fbs.
import { FlatReader } from './flatbuffer.mjs';

export const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2 };
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 };
const BUFFER = { data: 0 };
const METADATA = { name: 0, buffer: 1 };

/** Parses a TFLite model into plain objects; throws on anything that is not a TFLite flatbuffer. */
export function readTfliteModel(bytes) {
  if (bytes.length < 8) throw new Error('not a TFLite model: too short');
  const r = new FlatReader(bytes);
  if (r.identifier() !== 'TFL3') throw new Error(`not a TFLite model: identifier "${r.identifier()}"`);
  const root = r.root();
  if (root >= bytes.length) throw new Error('not a TFLite model: root offset out of range');
  return {
    reader: r,
    root,
    version: r.scalar(root, MODEL.version, 'u32'),
    description: r.string(root, MODEL.description),
    operatorCodes: r.tables(r.ref(root, MODEL.operatorCodes)).map((t) => ({
      builtinCode: Math.max(r.scalar(t, OPERATOR_CODE.builtinCode, 'i32'), r.scalar(t, OPERATOR_CODE.deprecatedBuiltinCode, 'u8')),
      customCode: r.string(t, OPERATOR_CODE.customCode),
    })),
    subgraphs: r.tables(r.ref(root, MODEL.subgraphs)).map((sg) => ({
      name: r.string(sg, SUBGRAPH.name),
      inputs: r.scalars(r.ref(sg, SUBGRAPH.inputs), 'i32', 4),
      outputs: r.scalars(r.ref(sg, SUBGRAPH.outputs), 'i32', 4),
      tensors: r.tables(r.ref(sg, SUBGRAPH.tensors)).map((t) => ({
        name: r.string(t, TENSOR.name),
        shape: r.scalars(r.ref(t, TENSOR.shape), 'i32', 4),
        type: r.scalar(t, TENSOR.type, 'u8'),
        buffer: r.scalar(t, TENSOR.buffer, 'u32'),
      })),
      operators: r.tables(r.ref(sg, SUBGRAPH.operators)).map((op) => ({
        opcodeIndex: r.scalar(op, OPERATOR.opcodeIndex, 'u32'),
        inputs: r.scalars(r.ref(op, OPERATOR.inputs), 'i32', 4),
        outputs: r.scalars(r.ref(op, OPERATOR.outputs), 'i32', 4),
      })),
    })),
    buffers: r.tables(r.ref(root, MODEL.buffers)).map((b) => {
      const vec = r.ref(b, BUFFER.data);
      return { table: b, dataStart: vec ? vec + 4 : 0, data: r.byteVector(vec) ?? new Uint8Array(0) };
    }),
    metadata: r.tables(r.ref(root, MODEL.metadata)).map((m) => ({
      table: m,
      name: r.string(m, METADATA.name),
      buffer: r.scalar(m, METADATA.buffer, 'u32'),
    })),
  };
}
