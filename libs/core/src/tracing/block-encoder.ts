import { Worker } from 'node:worker_threads';
import { LOWER_THREAD_PRIORITY, OPEN_SIDE_CONNECTION } from '../infrastructure/sqlite-background';
import { redactArgsText, redactAttrs } from './redact';
import { type RawSpan, type Span, type SpanKind } from './span';

/** A batch of spans as the ring and the table keep it: the encoded spans, and what queries prune on. */
export interface Block {
  start: number;
  end: number;
  count: number;
  maxDuration: number;
  errors: number;
  /** `,kind|service|method,...,`: LIKE and includes find a key, or a prefix of one, between commas. */
  keys: string;
  codes: string;
  traces: string;
  body: string;
}

/**
 * A batch of spans as the encoder thread takes it: their numbers and ids in one buffer, handed
 * over rather than copied, and their strings beside it, each once. Made on the event loop, it
 * costs a few typed-array writes a span; the block, which cost several microseconds a call, is
 * made on the encoder's thread.
 *
 * `buffer` holds `count` records from its start (a partial batch's buffer has its full batch's
 * size). A record is RECORD_WORDS 32-bit words:
 *   0-7    start, durationMs, handler start, handler durationMs (four float64)
 *   8-11   trace id (128 bits), 12-13 span id, 14-15 parent span id, 16-17 handler span id
 *   18     flags (HAS_PARENT, HAS_HANDLER, TEXT_IDS: ids that are not lower-case hex of their
 *          length, kept as text, each id's first word the index of its text in `texts`)
 *   19-23  kind, service, method, node, name: indexes in `strings`
 *   24-26  error code (index in `strings`), args JSON, attrs JSON (indexes in `texts`): 1 more, 0 for none
 */
export interface PackedSpans {
  /** Records. */
  count: number;
  /** Spans they stand for (a provider's record with its handler's is two). */
  spans: number;
  buffer: ArrayBuffer;
  strings: string[];
  texts: string[];
}

const RECORD_WORDS = 28;
const HAS_PARENT = 1;
const HAS_HANDLER = 2;
const TEXT_IDS = 4;
// Flags of a stored record (body version 4) besides those three.
const HAS_ERROR = 8;
const HAS_ARGS = 16;
const HAS_ATTRS = 32;
// flags, six indexes (at most 5 bytes each), two f64, two ids, three indexes, and a handler's id and two f64.
const MAX_RECORD_BYTES = 1 + 30 + 16 + 16 + 15 + 24;

// Hex digit values by char code; -1 for anything else (past 127: undefined, also refused).
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;

/** Writes lower-case hex id `id` of `chars` characters as chars/8 words at `at`; false when it is not one. */
function putHex(words: Uint32Array, at: number, id: string, chars: number): boolean {
  if (id.length !== chars) return false;
  for (let w = 0; w < chars / 8; w++) {
    let value = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const digit = HEX_VALUE[id.charCodeAt(i)];
      if (!(digit >= 0)) return false;
      value = value * 16 + digit;
    }
    words[at + w] = value;
  }
  return true;
}

/** Each string once, by index; a column's last string answers before the map. */
class Strings {
  readonly list: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #last: (string | undefined)[] = [];
  readonly #lastIndex: number[] = [];

  index(column: number, text: string): number {
    if (this.#last[column] === text) return this.#lastIndex[column];
    let i = this.#index.get(text);
    if (i === undefined) {
      i = this.list.push(text) - 1;
      this.#index.set(text, i);
    }
    this.#last[column] = text;
    this.#lastIndex[column] = i;
    return i;
  }
}

/**
 * Records packed as they are recorded, into a batch of at most `capacity`: what the tracer fills
 * between shipments, so that no span object outlives its call (kept until a flush, they were
 * copied by every garbage collection in between). Args are redacted as they are packed: they
 * never leave this thread but as the text the redaction made.
 */
export class SpanPacker {
  readonly capacity: number;
  /** Records packed. */
  count = 0;
  /** Spans they stand for: a provider's record with its handler's is two. */
  spans = 0;
  readonly #buffer: ArrayBuffer;
  readonly #words: Uint32Array;
  readonly #floats: Float64Array;
  readonly #strings = new Strings();
  readonly #texts: string[] = [];
  // The last record's trace id and parent span id, and where their words are (see #trace).
  #lastTrace: string | undefined;
  #lastTraceAt = 0;
  #lastParent: string | undefined;
  #lastParentAt = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#buffer = takeBuffer(capacity * RECORD_WORDS * 4);
    this.#words = new Uint32Array(this.#buffer);
    this.#floats = new Float64Array(this.#buffer);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Packs one record; a full packer throws (the caller ships it first). */
  add(s: RawSpan): void {
    if (this.count >= this.capacity) throw new Error(`tracing: a batch of ${this.capacity} records is full; ship it before adding more`);
    const words = this.#words;
    const floats = this.#floats;
    const strings = this.#strings;
    const texts = this.#texts;
    const w = this.count * RECORD_WORDS;
    const f = w / 2;
    const h = s.handler;
    let flags = 0;
    floats[f] = s.start;
    floats[f + 1] = s.durationMs;
    if (s.parentSpanId !== undefined) flags |= HAS_PARENT;
    if (h !== undefined) {
      flags |= HAS_HANDLER;
      floats[f + 2] = h.start;
      floats[f + 3] = h.durationMs;
    }
    const hex =
      this.#trace(w, s.traceId) && this.#span(w + 12, s.spanId) && (s.parentSpanId === undefined || putHex(words, w + 14, s.parentSpanId, 16)) && (h === undefined || putHex(words, w + 16, h.spanId, 16));
    if (hex) {
      this.#lastTrace = s.traceId;
      this.#lastTraceAt = w + 8;
      this.#lastParent = s.parentSpanId;
      this.#lastParentAt = w + 14;
    } else {
      this.#lastTrace = undefined;
      this.#lastParent = undefined;
      // A span from another tracer (tracing.record) may carry ids of another form: kept as they came.
      flags |= TEXT_IDS;
      words[w + 8] = texts.push(s.traceId) - 1;
      words[w + 12] = texts.push(s.spanId) - 1;
      if (s.parentSpanId !== undefined) words[w + 14] = texts.push(s.parentSpanId) - 1;
      if (h !== undefined) words[w + 16] = texts.push(h.spanId) - 1;
    }
    words[w + 18] = flags;
    words[w + 19] = strings.index(0, s.kind);
    words[w + 20] = strings.index(1, s.service);
    words[w + 21] = strings.index(2, s.method);
    words[w + 22] = strings.index(3, s.node);
    words[w + 23] = strings.index(4, s.name);
    words[w + 24] = s.error === undefined ? 0 : strings.index(5, s.error) + 1;
    const args = s.policy !== undefined ? redactArgsText(s.rawArgs, s.policy) : s.args === undefined ? undefined : JSON.stringify(s.args);
    // push() answers the new length: the text's index, plus one.
    words[w + 25] = args === undefined ? 0 : texts.push(args);
    const attrs = redactAttrs(s.attrs, s.rawArgs, s.policy);
    words[w + 26] = attrs === undefined ? 0 : texts.push(attrsText(attrs));
    this.count++;
    this.spans += h === undefined ? 1 : 2;
  }

  // A call's records come one after the other, innermost first (provider, transport, gateway):
  // the same trace id, and each span the parent of the record before. Copied, not parsed again.
  #trace(w: number, traceId: string): boolean {
    const words = this.#words;
    if (traceId !== this.#lastTrace) return putHex(words, w + 8, traceId, 32);
    words.copyWithin(w + 8, this.#lastTraceAt, this.#lastTraceAt + 4);
    return true;
  }

  #span(at: number, spanId: string): boolean {
    const words = this.#words;
    if (spanId !== this.#lastParent) return putHex(words, at, spanId, 16);
    words[at] = words[this.#lastParentAt];
    words[at + 1] = words[this.#lastParentAt + 1];
    return true;
  }

  /** What the encoder thread takes. The packer is done with: its buffer is handed over. */
  packed(): PackedSpans {
    return { count: this.count, spans: this.spans, buffer: this.#buffer, strings: this.#strings.list, texts: this.#texts };
  }
}

// The JSON of attrs objects a caller froze (a proxy's constant `{ transport: 'mem' }`): made once,
// not once a span.
const frozenAttrs = new WeakMap<object, string>();

function attrsText(attrs: object): string {
  if (!Object.isFrozen(attrs)) return JSON.stringify(attrs);
  let text = frozenAttrs.get(attrs);
  if (text === undefined) frozenAttrs.set(attrs, (text = JSON.stringify(attrs)));
  return text;
}

/** Packs records for the encoder (see PackedSpans); their args redacted. */
export function packSpans(spans: readonly RawSpan[]): PackedSpans {
  const packer = new SpanPacker(spans.length);
  for (const s of spans) packer.add(s);
  return packer.packed();
}

/**
 * The encoder thread: PackedSpans in, a Block out, as store.ts reads it (body version 4):
 *   body = [4, strings, traceIds, texts, records]
 * `strings` and `texts` are the batch's own (each string once; args and attrs as JSON text),
 * `traceIds` each trace once, and `records` the base64 of the records, one after the other,
 * little-endian:
 *   u8 flags (HAS_PARENT, HAS_HANDLER, TEXT_IDS, HAS_ERROR, HAS_ARGS, HAS_ATTRS)
 *   trace (in traceIds); kind, service, method, node, name (in strings)
 *   f64 start (epoch ms), f64 durationMs
 *   span id, then the parent's if HAS_PARENT: 8 bytes each (two u32, the hex's first 8 digits
 *     first), or with TEXT_IDS an index in texts
 *   error (in strings) if HAS_ERROR, args if HAS_ARGS, attrs if HAS_ATTRS (in texts)
 *   if HAS_HANDLER: the handler's span id (as above), f64 start, f64 durationMs
 * Every index is unsigned LEB128 (7 bits a byte, low first): one or two bytes, most of them.
 * Bytes, not JSON rows: making the rows' JSON was most of this thread's work a call. Plain JS in
 * a string, so that it runs the same from sources under test and from dist.
 */
const ENCODER = `
const { parentPort } = require('node:worker_threads');
${LOWER_THREAD_PRIORITY}
const RECORD_WORDS = ${RECORD_WORDS};
const HAS_PARENT = ${HAS_PARENT};
const HAS_HANDLER = ${HAS_HANDLER};
const TEXT_IDS = ${TEXT_IDS};
const HAS_ERROR = ${HAS_ERROR};
const HAS_ARGS = ${HAS_ARGS};
const HAS_ATTRS = ${HAS_ATTRS};
const MAX_RECORD_BYTES = ${MAX_RECORD_BYTES};
// kind, service and method indexes packed into one number per key: 17 bits each.
const KEY_BITS = 131072;
const HEX = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));
const hex32 = (v) => HEX[v >>> 24] + HEX[(v >>> 16) & 255] + HEX[(v >>> 8) & 255] + HEX[v & 255];

function encode(p) {
  const words = new Uint32Array(p.buffer);
  const floats = new Float64Array(p.buffer);
  const texts = p.texts;
  const strings = p.strings;
  const out = Buffer.allocUnsafe(p.count * MAX_RECORD_BYTES);
  let at = 0;
  // An index, in 7-bit groups, low first (LEB128): most take one or two bytes, not four.
  const index = (v) => {
    while (v > 127) {
      out[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    out[at++] = v;
  };
  const f64 = (v) => {
    out.writeDoubleLE(v, at);
    at += 8;
  };
  const id = (textIds, w) => {
    if (textIds) return index(words[w]);
    out.writeUInt32LE(words[w], at);
    out.writeUInt32LE(words[w + 1], at + 4);
    at += 8;
  };
  const traces = [];
  const traceIndex = new Map();
  // A call's records come together: its trace id is the one before, most of the time.
  let lastWords = -1;
  let lastTrace = -1;
  const keys = new Set();
  const codes = new Set();
  let start = p.count > 0 ? floats[0] : 0;
  let end = start;
  let maxDuration = 0;
  let errors = 0;
  let count = 0;
  let handlerKind = -1;
  for (let r = 0; r < p.count; r++) {
    const w = r * RECORD_WORDS;
    const f = w / 2;
    const packedFlags = words[w + 18];
    const textIds = (packedFlags & TEXT_IDS) !== 0;
    const spanStart = floats[f];
    const duration = floats[f + 1];
    count++;
    if (spanStart < start) start = spanStart;
    if (spanStart > end) end = spanStart;
    if (duration > maxDuration) maxDuration = duration;
    let trace;
    if (!textIds && lastTrace >= 0 && words[w + 8] === words[lastWords] && words[w + 9] === words[lastWords + 1] && words[w + 10] === words[lastWords + 2] && words[w + 11] === words[lastWords + 3]) {
      trace = lastTrace;
    } else {
      const traceId = textIds ? texts[words[w + 8]] : hex32(words[w + 8]) + hex32(words[w + 9]) + hex32(words[w + 10]) + hex32(words[w + 11]);
      trace = traceIndex.get(traceId);
      if (trace === undefined) {
        trace = traces.push(traceId) - 1;
        traceIndex.set(traceId, trace);
      }
      lastTrace = textIds ? -1 : trace;
      lastWords = w + 8;
    }
    const kind = words[w + 19];
    const service = words[w + 20];
    const method = words[w + 21];
    keys.add((kind * KEY_BITS + service) * KEY_BITS + method);
    const errorAt = words[w + 24];
    const args = words[w + 25];
    const attrs = words[w + 26];
    let flags = packedFlags & (HAS_PARENT | HAS_HANDLER | TEXT_IDS);
    if (errorAt !== 0) {
      flags |= HAS_ERROR;
      errors++;
      codes.add(strings[errorAt - 1]);
    }
    if (args !== 0) flags |= HAS_ARGS;
    if (attrs !== 0) flags |= HAS_ATTRS;
    out[at++] = flags;
    index(trace);
    index(kind);
    index(service);
    index(method);
    index(words[w + 22]);
    index(words[w + 23]);
    f64(spanStart);
    f64(duration);
    id(textIds, w + 12);
    if ((flags & HAS_PARENT) !== 0) id(textIds, w + 14);
    if (errorAt !== 0) index(errorAt - 1);
    if (args !== 0) index(args - 1);
    if (attrs !== 0) index(attrs - 1);
    if ((flags & HAS_HANDLER) !== 0) {
      count++;
      if (handlerKind < 0) {
        handlerKind = strings.indexOf('handler');
        if (handlerKind < 0) handlerKind = strings.length;
      }
      keys.add((handlerKind * KEY_BITS + service) * KEY_BITS + method);
      const handlerStart = floats[f + 2];
      if (handlerStart > end) end = handlerStart;
      id(textIds, w + 16);
      f64(handlerStart);
      f64(floats[f + 3]);
    }
  }
  const name = (i) => (i < strings.length ? strings[i] : 'handler');
  const keyList = [];
  for (const k of keys) keyList.push(name(Math.floor(k / KEY_BITS / KEY_BITS)) + '|' + name(Math.floor(k / KEY_BITS) % KEY_BITS) + '|' + name(k % KEY_BITS));
  const joined = (items) => ',' + Array.from(items).join(',') + ',';
  return { start, end, count, maxDuration, errors, keys: joined(keyList), codes: joined(codes), traces: joined(traces), body: JSON.stringify([4, strings, traces, texts, out.toString('base64', 0, at)]) };
}

${OPEN_SIDE_CONNECTION}
// Connections of its own to SQLite files it writes blocks to, by file.
const files = new Map();
function writerOf(to) {
  let w = files.get(to.file);
  if (w === undefined) {
    w = { db: openSideConnection(require(to.driver), to.file), statements: new Map() };
    files.set(to.file, w);
  }
  let stmt = w.statements.get(to.sql);
  if (stmt === undefined) w.statements.set(to.sql, (stmt = w.db.prepare(to.sql)));
  return stmt;
}

parentPort.on('message', (m) => {
  try {
    if (m.close !== undefined) {
      const w = files.get(m.close);
      files.delete(m.close);
      if (w !== undefined) w.db.close();
      parentPort.postMessage({ id: m.id });
      return;
    }
    const block = encode(m.packed);
    if (m.to !== undefined) {
      writerOf(m.to).run([m.to.node, Math.floor(block.start), Math.ceil(block.end), block.count, block.maxDuration, block.errors, block.keys, block.codes, block.traces, block.body]);
      // Written: the body stays here.
      block.body = '';
    }
    // The buffer goes back, for a batch to come: one less allocation of tens of kB a batch.
    parentPort.postMessage({ id: m.id, block, buffer: m.packed.buffer }, [m.packed.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

interface Pending {
  resolve(block: Block): void;
  reject(err: Error): void;
}

// Buffers the encoder thread handed back, for the next batches (their size is the batch size's).
// A batch's buffer is tens of kB, zeroed when made, and counted by V8 against its external
// memory: a new one a batch cost the event loop more than packing a call's records.
const POOLED_BUFFERS = 4;
const pool: ArrayBuffer[] = [];

function takeBuffer(bytes: number): ArrayBuffer {
  for (let i = pool.length - 1; i >= 0; i--) {
    if (pool[i].byteLength === bytes) return pool.splice(i, 1)[0];
  }
  return new ArrayBuffer(bytes);
}

function giveBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0) return;
  if (pool.length >= POOLED_BUFFERS) pool.shift();
  pool.push(buffer);
}

/**
 * The thread that turns packed spans into blocks, one per process, started on first use. Idle,
 * it does not keep the process alive. A thread that dies fails the batches it held (their
 * spans are counted as failed by the tracer) and is started afresh for the next.
 */
class BlockEncoder {
  #worker: Worker | undefined;
  // Where the thread loads better-sqlite3 from: the same copy as this process's db.
  #driver: string | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  encode(packed: PackedSpans, to?: BlockFile): Promise<Block> {
    this.#driver ??= require.resolve('better-sqlite3');
    return this.#send({ packed, to: to === undefined ? undefined : { ...to, driver: this.#driver } }, [packed.buffer]);
  }

  /** Closes the thread's connection to `file`, once the batches sent before are written. */
  async close(file: string): Promise<void> {
    if (this.#worker !== undefined) await this.#send({ close: file }, []);
  }

  /** Resolves with the thread's block; a close resolves with none. */
  #send(message: object, transfer: ArrayBuffer[]): Promise<Block> {
    const worker = (this.#worker ??= this.#start());
    if (this.#pending.size === 0) worker.ref();
    const id = this.#nextId++;
    return new Promise<Block>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  }

  #start(): Worker {
    const worker = new Worker(ENCODER, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; block?: Block; error?: string; buffer?: ArrayBuffer }) => {
      if (m.buffer !== undefined) giveBuffer(m.buffer);
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) worker.unref();
      if (m.error === undefined) p.resolve(m.block!);
      else p.reject(new Error(`tracing: the span encoder thread could not encode or store a batch: ${m.error}`));
    });
    const fail = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`tracing: the span encoder thread failed: ${err.message}; its batches were not stored`)));
    worker.on('exit', (code) => fail(new Error(`tracing: the span encoder thread stopped (exit code ${code}); its batches were not stored`)));
    return worker;
  }
}

/** Where the encoder thread writes a block itself: an SQLite file's table, by an INSERT of the block's ten columns (`?` placeholders). */
export interface BlockFile {
  file: string;
  sql: string;
  /** The node column's value. */
  node: string;
}

let shared: BlockEncoder | undefined;

/**
 * Spans as a block, encoded on the encoder thread; their args redacted here first. With `to`,
 * the thread also writes the block to that SQLite file, and the block comes back without its
 * body: it never crosses to this thread, which would copy it to the file's own writer thread.
 */
export function encodeBlock(spans: readonly RawSpan[], to?: BlockFile): Promise<Block> {
  return encodePacked(packSpans(spans), to);
}

/** encodeBlock for records already packed (the tracer's batches). `packed.buffer` is handed over to the thread. */
export function encodePacked(packed: PackedSpans, to?: BlockFile): Promise<Block> {
  shared ??= new BlockEncoder();
  return shared.encode(packed, to);
}

/**
 * Packed records as finished spans, for what takes spans rather than blocks (`tracing.record` on
 * another node, an OTLP collector): encoded on the thread, read back here. `packed` stays usable.
 */
export async function decodePacked(packed: PackedSpans): Promise<Span[]> {
  const block = await encodePacked({ ...packed, buffer: packed.buffer.slice(0) });
  return decodeBody(block.body);
}

/** Lets the encoder thread close its connection to `file` (a db closing), after the blocks sent before are written. */
export function closeBlockFile(file: string): Promise<void> {
  return shared?.close(file) ?? Promise.resolve();
}

/** A span in a version 3 body (see block-encoder.ts); the last four fields only when some is set. Version 2: the same without `handler`, args as JSON values, durations in ms. */
type StoredRow = [number, string, string | null, number, number, number, number, number, number, number, (number | null)?, unknown?, (Span['attrs'] | null)?, ([string, number, number] | null)?];

/** A span in a version 1 body: the values of its fields, `name` null where it is `service.method`. */
type StoredSpanV1 = [string, string, string | null, SpanKind, string, string, string, number, number, string | null, unknown, Span['attrs'] | null, string | null];

/** The spans of a block's body, of any version this store has written. */
export function decodeBody(body: unknown): Span[] {
  if (typeof body !== 'string') return [];
  const parsed = JSON.parse(body) as unknown[];
  if (parsed[0] === 4) return decodeV4(parsed as BodyV4);
  // Version 0, written by a development version of the store before any release: span objects.
  if (parsed.length === 0 || typeof parsed[0] === 'object') return parsed as Span[];
  if (parsed[0] === 2 || parsed[0] === 3) {
    const [version, strings, traces, base, rows] = parsed as [2 | 3, string[], string[], number, StoredRow[]];
    const spans: Span[] = [];
    for (const [trace, spanId, parentSpanId, kind, service, method, node, offset, durationMs, name, error, args, attrs, handler] of rows) {
      const span: Span = { traceId: traces[trace], spanId, kind: strings[kind] as SpanKind, name: strings[name], service: strings[service], method: strings[method], node: strings[node], start: base + offset, durationMs: version === 3 ? durationMs / 1000 : durationMs };
      if (parentSpanId !== null) span.parentSpanId = parentSpanId;
      if (error !== undefined && error !== null) span.error = strings[error];
      if (args !== undefined && args !== null) span.args = version === 3 ? (JSON.parse(args as string) as unknown) : args;
      if (attrs !== undefined && attrs !== null) span.attrs = attrs;
      spans.push(span);
      if (handler !== undefined && handler !== null) spans.push(handlerOf(span, handler[0], base + handler[1], handler[2] / 1000));
    }
    return spans;
  }
  const [version, rows] = parsed as [unknown, StoredSpanV1[]];
  if (version !== 1) throw new Error(`junction_span_blocks: a block of version ${JSON.stringify(version)}, which this version of Junction cannot read (it reads 0 to 4); delete the table's rows to start afresh`);
  return rows.map(([traceId, spanId, parentSpanId, kind, service, method, node, start, durationMs, error, args, attrs, name]) => {
    const span: Span = { traceId, spanId, kind, name: name ?? `${service}.${method}`, service, method, node, start, durationMs };
    if (parentSpanId !== null) span.parentSpanId = parentSpanId;
    if (error !== null) span.error = error;
    if (args !== null) span.args = args;
    if (attrs !== null) span.attrs = attrs;
    return span;
  });
}

type BodyV4 = [4, string[], string[], string[], string];

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex32 = (v: number) => HEX_BYTE[v >>> 24] + HEX_BYTE[(v >>> 16) & 255] + HEX_BYTE[(v >>> 8) & 255] + HEX_BYTE[v & 255];

/** A version 4 body's spans (see ENCODER for its layout). */
function decodeV4([, strings, traces, texts, records]: BodyV4): Span[] {
  const bytes = Buffer.from(records, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const index = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++];
      v += (b & 127) * 2 ** shift;
      if (b < 128) return v;
    }
  };
  const u32 = () => {
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const f64 = () => {
    const v = view.getFloat64(at, true);
    at += 8;
    return v;
  };
  let textIds = false;
  const id = () => (textIds ? texts[index()] : hex32(u32()) + hex32(u32()));
  const spans: Span[] = [];
  while (at < bytes.length) {
    const flags = bytes[at++];
    textIds = (flags & TEXT_IDS) !== 0;
    const traceId = traces[index()];
    const kind = strings[index()] as SpanKind;
    const service = strings[index()];
    const method = strings[index()];
    const node = strings[index()];
    const name = strings[index()];
    const start = f64();
    const durationMs = f64();
    const span: Span = { traceId, spanId: id(), kind, name, service, method, node, start, durationMs };
    if ((flags & HAS_PARENT) !== 0) span.parentSpanId = id();
    if ((flags & HAS_ERROR) !== 0) span.error = strings[index()];
    if ((flags & HAS_ARGS) !== 0) span.args = JSON.parse(texts[index()]) as unknown;
    if ((flags & HAS_ATTRS) !== 0) span.attrs = JSON.parse(texts[index()]) as Span['attrs'];
    spans.push(span);
    if ((flags & HAS_HANDLER) !== 0) spans.push(handlerOf(span, id(), f64(), f64()));
  }
  return spans;
}

/** The handler's span a provider's record carries: its child, of the same call and outcome. */
function handlerOf(provider: Span, spanId: string, start: number, durationMs: number): Span {
  const { traceId, name, service, method, node, error } = provider;
  const span: Span = { traceId, spanId, parentSpanId: provider.spanId, kind: 'handler', name, service, method, node, start, durationMs };
  if (error !== undefined) span.error = error;
  return span;
}
