// A minimal FlatBuffers reader and front-to-back writer: just enough to read a TFLite model's root
// table and to write the small tables TFLite metadata needs, without the flatbuffers npm package.
//
// Wire format reminders: a table starts with an int32 `soffset` (table - vtable); the vtable holds
// uint16 [vtable size, table size, field offsets...]; references to tables, vectors and strings are
// uint32 offsets relative to where they are stored and must point FORWARD. Vectors and strings are
// a uint32 length followed by the elements (strings add a trailing NUL).

/** Read access to one flatbuffer (any Uint8Array view). */
export class FlatReader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(pos) { return this.view.getUint8(pos); }
  u16(pos) { return this.view.getUint16(pos, true); }
  u32(pos) { return this.view.getUint32(pos, true); }
  i32(pos) { return this.view.getInt32(pos, true); }
  f32(pos) { return this.view.getFloat32(pos, true); }

  /** Position of the root table. */
  root() { return this.u32(0); }

  /** The 4-character file identifier (bytes 4..8). */
  identifier() { return String.fromCharCode(...this.bytes.subarray(4, 8)); }

  /** Absolute position of field `id` inside the table at `table`, or 0 when absent. */
  field(table, id) {
    const vtable = table - this.i32(table);
    const vtSize = this.u16(vtable);
    const slot = 4 + 2 * id;
    if (slot >= vtSize) return 0;
    const off = this.u16(vtable + slot);
    return off ? table + off : 0;
  }

  /** Follows the uoffset stored at `pos`. */
  deref(pos) { return pos + this.u32(pos); }

  /** Table, vector or string referenced by field `id`, or 0 when absent. */
  ref(table, id) {
    const p = this.field(table, id);
    return p ? this.deref(p) : 0;
  }

  scalar(table, id, kind, fallback = 0) {
    const p = this.field(table, id);
    return p ? this[kind](p) : fallback;
  }

  string(table, id) {
    const s = this.ref(table, id);
    if (!s) return undefined;
    return new TextDecoder().decode(this.bytes.subarray(s + 4, s + 4 + this.u32(s)));
  }

  /** Length of the vector at `vec` (0 when `vec` is 0). */
  length(vec) { return vec ? this.u32(vec) : 0; }

  /** Positions of the tables in the vector of tables at `vec`. */
  tables(vec) {
    const out = [];
    for (let i = 0; i < this.length(vec); i++) out.push(this.deref(vec + 4 + 4 * i));
    return out;
  }

  /** Elements of a vector of scalars (`size` bytes each). */
  scalars(vec, kind, size) {
    const out = [];
    for (let i = 0; i < this.length(vec); i++) out.push(this[kind](vec + 4 + size * i));
    return out;
  }

  /** The bytes of a [ubyte] vector. */
  byteVector(vec) { return vec ? this.bytes.subarray(vec + 4, vec + 4 + this.u32(vec)) : undefined; }
}

const SIZES = { u8: 1, i8: 1, u32: 4, f32: 4 };

/**
 * Writes a flatbuffer front to back: a parent is written before its children and its reference
 * fields are patched once the child's position is known (offsets then always point forward).
 */
export class FlatWriter {
  constructor() {
    this.buf = new Uint8Array(1024);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Pads with zeros so that (pos + extra) is a multiple of `align`. */
  align(align, extra = 0) {
    const pad = (align - ((this.pos + extra) % align)) % align;
    this.ensure(pad);
    this.pos += pad;
  }

  put(kind, value) {
    this.ensure(4);
    const at = this.pos;
    if (kind === 'u8') this.view.setUint8(at, value);
    else if (kind === 'i8') this.view.setInt8(at, value);
    else if (kind === 'u16') this.view.setUint16(at, value, true);
    else if (kind === 'u32') this.view.setUint32(at, value, true);
    else if (kind === 'i32') this.view.setInt32(at, value, true);
    else if (kind === 'f32') this.view.setFloat32(at, value, true);
    else throw new Error(`unknown scalar kind ${kind}`);
    this.pos += kind === 'u8' || kind === 'i8' ? 1 : kind === 'u16' ? 2 : 4;
    return at;
  }

  bytesOut(bytes) {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Stores at `at` the uoffset to `target` (which must lie after `at`). */
  patch(at, target) {
    if (target <= at) throw new Error(`flatbuffer offsets must point forward (${at} -> ${target})`);
    this.view.setUint32(at, target - at, true);
  }

  /**
   * Writes a table (its vtable first). `fields[id]` is undefined (absent), `{ ref: true }` (a
   * reference, patched later), or `{ kind: 'u8'|'i8'|'u32'|'f32', value }`. Returns the table's
   * position and, per reference field id, the position to patch.
   */
  table(fields) {
    const present = fields.map((f, id) => ({ f, id })).filter(({ f }) => f !== undefined);
    // 4-byte fields first, then bytes: every field is naturally aligned in a 4-aligned table.
    const size = ({ f }) => (f.ref ? 4 : SIZES[f.kind]);
    present.sort((a, b) => size(b) - size(a) || a.id - b.id);
    const offsets = new Array(fields.length).fill(0);
    let tableSize = 4;
    for (const p of present) {
      offsets[p.id] = tableSize;
      tableSize += size(p);
    }
    tableSize = Math.ceil(tableSize / 4) * 4;
    const vtSize = 4 + 2 * fields.length;
    this.align(4, vtSize); // the table right after the vtable must be 4-aligned
    const vtable = this.pos;
    this.put('u16', vtSize);
    this.put('u16', tableSize);
    for (const o of offsets) this.put('u16', o);
    const table = this.pos;
    this.ensure(tableSize);
    this.buf.fill(0, table, table + tableSize);
    this.view.setInt32(table, table - vtable, true);
    const refs = {};
    for (const p of present) {
      const at = table + offsets[p.id];
      if (p.f.ref) refs[p.id] = at;
      else {
        const saved = this.pos;
        this.pos = at;
        this.put(p.f.kind, p.f.value);
        this.pos = saved;
      }
    }
    this.pos = table + tableSize;
    return { pos: table, refs };
  }

  /** A vector of `n` references; returns the positions of its slots, to patch. */
  refVector(n) {
    this.align(4);
    const pos = this.put('u32', n);
    const slots = [];
    for (let i = 0; i < n; i++) slots.push(this.put('u32', 0));
    return { pos, slots };
  }

  /** A vector of scalars; its elements start at a multiple of `elementAlign`. */
  scalarVector(kind, values, elementAlign = 4) {
    this.align(Math.max(4, elementAlign), 4);
    const pos = this.put('u32', values.length);
    for (const v of values) this.put(kind, v);
    return pos;
  }

  /** A [ubyte] vector whose data starts at a multiple of `dataAlign`. */
  byteVector(bytes, dataAlign = 4) {
    this.align(Math.max(4, dataAlign), 4);
    const pos = this.put('u32', bytes.length);
    this.bytesOut(bytes);
    return pos;
  }

  string(text) {
    const utf8 = new TextEncoder().encode(text);
    this.align(4);
    const pos = this.put('u32', utf8.length);
    this.bytesOut(utf8);
    this.put('u8', 0);
    return pos;
  }

  /**
   * Writes an object tree depth first and returns its position. A node is `{ table: [field...] }`
   * (field: undefined, a scalar `{ kind, value }`, or a child node), `{ tables: [[field...]...] }`,
   * `{ string }`, `{ floats }` or `{ bytes, align }`.
   */
  write(node) {
    if (node.string !== undefined) return this.string(node.string);
    if (node.floats) return this.scalarVector('f32', node.floats);
    if (node.bytes) return this.byteVector(node.bytes, node.align);
    if (node.tables) {
      const { pos, slots } = this.refVector(node.tables.length);
      node.tables.forEach((t, i) => this.patch(slots[i], this.write({ table: t })));
      return pos;
    }
    if (node.table) {
      const isScalar = (f) => f !== undefined && 'kind' in f;
      const { pos, refs } = this.table(node.table.map((f) => (f === undefined || isScalar(f) ? f : { ref: true })));
      for (const [id, at] of Object.entries(refs)) this.patch(at, this.write(node.table[id]));
      return pos;
    }
    throw new Error('unknown flatbuffer node');
  }

  finish() {
    this.align(4);
    return this.buf.slice(0, this.pos);
  }
}
