import { Worker } from 'node:worker_threads';
import { OPEN_SIDE_CONNECTION } from '../infrastructure/sqlite-background';
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
 * costs a few typed-array writes a span; the block's JSON, which cost several microseconds a
 * call, is made on the encoder's thread.
 *
 * A record is RECORD_WORDS 32-bit words:
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

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#buffer = new ArrayBuffer(capacity * RECORD_WORDS * 4);
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
      putHex(words, w + 8, s.traceId, 32) && putHex(words, w + 12, s.spanId, 16) && (s.parentSpanId === undefined || putHex(words, w + 14, s.parentSpanId, 16)) && (h === undefined || putHex(words, w + 16, h.spanId, 16));
    if (!hex) {
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
 * The encoder thread: PackedSpans in, a Block out, as store.ts reads it (body version 3):
 *   body = [3, strings, traceIds, base, rows]
 *   row  = [trace, spanId, parentSpanId | null, kind, service, method, node, start - base,
 *           duration (whole µs), name, error?, argsJson?, attrs?, handler?]
 *   handler = [spanId, start - base, duration (µs)]
 * Each string a block repeats (kind, service, method, node, name, error code) is named by its
 * index in `strings`, each trace id by its index in `traceIds`; trailing empty fields are left
 * out. Plain JS in a string, so that it runs the same from sources under test and from dist.
 */
const ENCODER = `
const { parentPort } = require('node:worker_threads');
const RECORD_WORDS = ${RECORD_WORDS};
const HAS_PARENT = ${HAS_PARENT};
const HAS_HANDLER = ${HAS_HANDLER};
const TEXT_IDS = ${TEXT_IDS};
// kind, service and method indexes packed into one number per key: 17 bits each.
const KEY_BITS = 131072;
const HEX = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));
const hex32 = (v) => HEX[v >>> 24] + HEX[(v >>> 16) & 255] + HEX[(v >>> 8) & 255] + HEX[v & 255];
const micros = (ms) => Math.round(ms * 1000);

function encode(p) {
  const words = new Uint32Array(p.buffer);
  const floats = new Float64Array(p.buffer);
  const texts = p.texts;
  // The block's own table: only the strings its spans use, in the order they first appear.
  const list = [];
  const local = new Map();
  const index = (text) => {
    let i = local.get(text);
    if (i === undefined) {
      i = list.push(text) - 1;
      local.set(text, i);
    }
    return i;
  };
  const str = (packed) => index(p.strings[packed]);
  const traces = [];
  const traceIndex = new Map();
  const keys = new Set();
  const codes = new Set();
  const rows = new Array(p.count);
  const base = p.count > 0 ? floats[0] : 0;
  let start = base;
  let end = base;
  let maxDuration = 0;
  let errors = 0;
  let count = 0;
  for (let r = 0; r < p.count; r++) {
    const w = r * RECORD_WORDS;
    const f = w / 2;
    const flags = words[w + 18];
    const textIds = (flags & TEXT_IDS) !== 0;
    const spanStart = floats[f];
    const duration = floats[f + 1];
    count++;
    if (spanStart < start) start = spanStart;
    if (spanStart > end) end = spanStart;
    if (duration > maxDuration) maxDuration = duration;
    const traceId = textIds ? texts[words[w + 8]] : hex32(words[w + 8]) + hex32(words[w + 9]) + hex32(words[w + 10]) + hex32(words[w + 11]);
    let trace = traceIndex.get(traceId);
    if (trace === undefined) {
      trace = traces.push(traceId) - 1;
      traceIndex.set(traceId, trace);
    }
    const spanId = textIds ? texts[words[w + 12]] : hex32(words[w + 12]) + hex32(words[w + 13]);
    const parent = (flags & HAS_PARENT) === 0 ? null : textIds ? texts[words[w + 14]] : hex32(words[w + 14]) + hex32(words[w + 15]);
    const kind = str(words[w + 19]);
    const service = str(words[w + 20]);
    const method = str(words[w + 21]);
    keys.add((kind * KEY_BITS + service) * KEY_BITS + method);
    const node = str(words[w + 22]);
    const name = str(words[w + 23]);
    const errorAt = words[w + 24];
    let error = null;
    if (errorAt !== 0) {
      errors++;
      codes.add(p.strings[errorAt - 1]);
      error = str(errorAt - 1);
    }
    const args = words[w + 25] === 0 ? null : texts[words[w + 25] - 1];
    const attrs = words[w + 26] === 0 ? null : JSON.parse(texts[words[w + 26] - 1]);
    let handler = null;
    if ((flags & HAS_HANDLER) !== 0) {
      count++;
      keys.add((index('handler') * KEY_BITS + service) * KEY_BITS + method);
      const handlerStart = floats[f + 2];
      if (handlerStart > end) end = handlerStart;
      const handlerId = textIds ? texts[words[w + 16]] : hex32(words[w + 16]) + hex32(words[w + 17]);
      handler = [handlerId, handlerStart - base, micros(floats[f + 3])];
    }
    const row = [trace, spanId, parent, kind, service, method, node, spanStart - base, micros(duration), name, error, args, attrs, handler];
    while (row.length > 10 && row[row.length - 1] === null) row.pop();
    rows[r] = row;
  }
  const keyList = [];
  for (const k of keys) keyList.push(list[Math.floor(k / KEY_BITS / KEY_BITS)] + '|' + list[Math.floor(k / KEY_BITS) % KEY_BITS] + '|' + list[k % KEY_BITS]);
  const joined = (items) => ',' + Array.from(items).join(',') + ',';
  return { start, end, count, maxDuration, errors, keys: joined(keyList), codes: joined(codes), traces: joined(traces), body: JSON.stringify([3, list, traces, base, rows]) };
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
    parentPort.postMessage({ id: m.id, block });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

interface Pending {
  resolve(block: Block): void;
  reject(err: Error): void;
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
    worker.on('message', (m: { id: number; block?: Block; error?: string }) => {
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
      if (handler !== undefined && handler !== null) {
        const [handlerSpanId, handlerOffset, handlerMs] = handler;
        const h: Span = { traceId: span.traceId, spanId: handlerSpanId, parentSpanId: spanId, kind: 'handler', name: span.name, service: span.service, method: span.method, node: span.node, start: base + handlerOffset, durationMs: handlerMs / 1000 };
        if (span.error !== undefined) h.error = span.error;
        spans.push(h);
      }
    }
    return spans;
  }
  const [version, rows] = parsed as [unknown, StoredSpanV1[]];
  if (version !== 1) throw new Error(`junction_span_blocks: a block of version ${JSON.stringify(version)}, which this version of Junction cannot read (it reads 0 to 3); delete the table's rows to start afresh`);
  return rows.map(([traceId, spanId, parentSpanId, kind, service, method, node, start, durationMs, error, args, attrs, name]) => {
    const span: Span = { traceId, spanId, kind, name: name ?? `${service}.${method}`, service, method, node, start, durationMs };
    if (parentSpanId !== null) span.parentSpanId = parentSpanId;
    if (error !== null) span.error = error;
    if (args !== null) span.args = args;
    if (attrs !== null) span.attrs = attrs;
    return span;
  });
}
