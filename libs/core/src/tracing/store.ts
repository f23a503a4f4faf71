import { type Db } from '../infrastructure/db';
import { type Logger } from '../logging';
import { type Block, closeBlockFile, decodeBody, encodePacked, type PackedSpans, packSpans } from './block-encoder';
import { type RawSpan, type Span, type SpanKind } from './span';

/** What `tracing.recent` and `tracing.slowest` filter on. */
export interface SpanQuery {
  service?: string;
  method?: string;
  minDurationMs?: number;
  /** `true`: failed calls only; a code: calls that failed with it; `false`: successes only. */
  error?: boolean | string;
  /** `provider` (each call as its service answered it) when absent. */
  kind?: SpanKind;
  limit?: number;
}

/** A span in a trace's tree, with its children; a provider span under a transport span also says how long it waited to be taken. */
export type SpanNode = Span & { queueWaitMs?: number; children: SpanNode[] };

const TABLE = 'junction_span_blocks';
const COLUMNS = 'node, start_ms, end_ms, span_count, max_duration_ms, error_count, keys, error_codes, trace_ids, body';
const INSERT = `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
// The same, as the encoder thread's own SQLite connection runs it (block-encoder.ts writes the values in this order).
const INSERT_SQLITE = `INSERT INTO ${TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
// Blocks read per query round: enough to answer a typical `recent` in one.
const BLOCKS_PER_READ = 8;
const CREATE = [
  // Column order matters to SQLite: the summary columns come before the body, so that a scan of
  // them (trace_ids for tracing.get) never reads the body's overflow pages.
  `CREATE TABLE IF NOT EXISTS ${TABLE} (node TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, span_count INTEGER NOT NULL, max_duration_ms DOUBLE PRECISION NOT NULL, error_count INTEGER NOT NULL, keys TEXT NOT NULL, error_codes TEXT NOT NULL, trace_ids TEXT NOT NULL, body TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_end ON ${TABLE} (end_ms)`,
];

/**
 * Where the tracing service keeps spans: without a `db`, a ring of the latest blocks in memory, at
 * most `ringSize` spans (the oldest blocks go first); with one, the table `junction_span_blocks`,
 * created on first use, which holds the spans every worker received (the ring then keeps only
 * what `tracing.status` counts, not the spans).
 *
 * A batch becomes a block on a thread of its own (block-encoder.ts), which also writes it when the
 * db is an SQLite file: the event loop only packs the batch and redacts its args.
 *
 * Both hold blocks, not spans: each batch a node ships is one block, its spans as JSON, with
 * what queries prune on (time range, longest duration, errors, `kind|service|method` keys, trace
 * ids). A row per span cost more than the call it traced (four rows a call, each an insert into a
 * random-keyed trace index); a row per batch costs a few microseconds a call. The ring keeps
 * encoded blocks rather than span objects: 50,000 live spans made every garbage collection
 * copy and scan them, and a Map entry per trace cost each span a lookup. Queries read the few
 * blocks that can hold an answer, newest (recent) or slowest (slowest) first, and stop as soon
 * as no further block can improve it.
 */
export class SpanStore {
  readonly #ringSize: number;
  readonly #db: Db | undefined;
  readonly #node: string;
  readonly #log: Logger;
  // Oldest first: one block per shipped batch (under load batchSize spans, when idle a second's worth).
  readonly #ring: Block[] = [];
  #count = 0;
  #ready: Promise<void> | undefined;
  #closed = false;

  readonly #retentionMs: number;
  readonly #now: () => number;
  #prunedAt = 0;

  constructor(opts: { ringSize: number; db?: Db; log: Logger; node?: string; retentionHours?: number; now?: () => number }) {
    this.#ringSize = opts.ringSize;
    this.#db = opts.db;
    this.#node = opts.node ?? '';
    this.#log = opts.log;
    this.#retentionMs = (opts.retentionHours ?? 72) * 3_600_000;
    this.#now = opts.now ?? Date.now;
  }

  /** What the ring holds now: its spans, and the traces they belong to. Read by `tracing.status`, not by calls. */
  size(): { traces: number; spans: number } {
    // A trace whose spans were shipped in two batches is in two blocks: counted once.
    const traces = new Set<string>();
    for (const b of this.#ring) for (const id of b.traces.split(',')) if (id !== '') traces.add(id);
    return { traces: traces.size, spans: this.#count };
  }

  /** Stores finished spans (from tracing.record), or records as a tracer makes them. */
  async add(spans: readonly RawSpan[]): Promise<void> {
    if (spans.length === 0) return;
    this.#open(spans.length);
    await this.#store(packSpans(spans));
  }

  /** Stores a tracer's batch, packed as its records were made (see SpanPacker). Its buffer is handed over. */
  async addPacked(packed: PackedSpans): Promise<void> {
    if (packed.count === 0) return;
    this.#open(packed.spans);
    await this.#store(packed);
  }

  #open(spans: number): void {
    if (this.#closed) throw new Error(`tracing: the span store of node "${this.#node}" is closed; ${spans} span(s) were not stored`);
  }

  async #store(packed: PackedSpans): Promise<void> {
    const db = this.#db;
    // Encoded on a thread of its own: the block cost the event loop several µs a call.
    // An SQLite file is written by that thread too, and the body stays there.
    const file = db?.file;
    if (db !== undefined) await this.#table(db);
    const block = await encodePacked(packed, file === undefined ? undefined : { file, sql: INSERT_SQLITE, node: this.#node });
    if (db !== undefined && file === undefined) await this.#insert(db, block);
    // With a db, queries read the table, and the ring keeps only what tracing.status counts.
    this.#ring.push(db === undefined ? block : { ...block, body: '' });
    this.#count += block.count;
    while (this.#count > this.#ringSize) this.#count -= this.#ring.shift()!.count;
    if (db !== undefined) await this.#prune(db);
  }

  /** Lets the encoder thread close its connection to the db file once the blocks handed to it are written; later adds are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const file = this.#db?.file;
    if (file !== undefined) await closeBlockFile(file);
  }

  /** Deletes the blocks past the retention, at most once a minute. */
  async #prune(db: Db): Promise<void> {
    const now = this.#now();
    if (now - this.#prunedAt < 60_000) return;
    this.#prunedAt = now;
    const { changes } = await db.execInBackground(`DELETE FROM ${TABLE} WHERE end_ms < $1`, [Math.floor(now - this.#retentionMs)]);
    if (changes > 0) this.#log.debug({ blocks: changes }, `tracing: deleted ${changes} block(s) of spans older than the retention`);
  }

  /** Every span of the trace; `[]` for one it does not know. */
  async trace(traceId: string): Promise<Span[]> {
    const byId = new Map<string, Span>();
    const take = (body: unknown) => {
      for (const s of decodeBody(body)) if (s.traceId === traceId && !byId.has(s.spanId)) byId.set(s.spanId, s);
    };
    // Trace ids are checked hex by the service; anything else could not match a stored one.
    const known = /^[0-9a-f]+$/.test(traceId);
    if (known && this.#db !== undefined) {
      await this.#table(this.#db);
      for (const r of await this.#db.query(`SELECT body FROM ${TABLE} WHERE trace_ids LIKE $1`, [`%,${traceId},%`])) take(r.body);
    }
    // Without a db, the ring is the store. With one, a block is in the table before add() resolves.
    if (known && this.#db === undefined) for (const b of this.#ring) if (b.traces.includes(`,${traceId},`)) take(b.body);
    return [...byId.values()].sort((a, b) => a.start - b.start);
  }

  recent(q: SpanQuery): Promise<Span[]> {
    return this.#find(q, 'start');
  }

  slowest(q: SpanQuery): Promise<Span[]> {
    return this.#find(q, 'duration');
  }

  async #find(q: SpanQuery, order: 'start' | 'duration'): Promise<Span[]> {
    const kind = q.kind ?? 'provider';
    const answer = new Answer(q, kind, order);
    // Prunes blocks that cannot hold a match; the spans themselves are matched exactly.
    const key = q.service === undefined ? `${kind}|` : q.method === undefined ? `${kind}|${q.service}|` : `${kind}|${q.service}|${q.method},`;
    if (this.#db === undefined) {
      const bound = order === 'start' ? (b: Block) => b.end : (b: Block) => b.maxDuration;
      // Among blocks of the same bound, the later recorded first, as the table's answer would rank their spans.
      const blocks = this.#ring.filter((b) => mayMatch(b, key, q)).reverse();
      blocks.sort((a, b) => bound(b) - bound(a));
      for (const b of blocks) if (answer.take(bound(b), b.body)) break;
      return answer.found;
    }
    await this.#table(this.#db);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    // A superset of mayMatch: LIKE's `_` matches any character.
    add((n) => `keys LIKE ${n}`, `%,${key}%`);
    if (q.minDurationMs !== undefined) add((n) => `max_duration_ms >= ${n}`, q.minDurationMs);
    if (q.error === true) where.push('error_count > 0');
    else if (typeof q.error === 'string') add((n) => `error_codes LIKE ${n}`, `%,${q.error},%`);
    // Blocks in the order their best span could rank: by latest start, or by longest duration.
    const bound = order === 'start' ? 'end_ms' : 'max_duration_ms';
    for (let offset = 0; ; offset += BLOCKS_PER_READ) {
      const rows = await this.#db.query(`SELECT ${bound} AS bound, body FROM ${TABLE} WHERE ${where.join(' AND ')} ORDER BY ${bound} DESC LIMIT ${BLOCKS_PER_READ} OFFSET ${offset}`, params);
      for (const r of rows) if (answer.take(Number(r.bound), r.body)) return answer.found;
      if (rows.length < BLOCKS_PER_READ) return answer.found;
    }
  }

  #table(db: Db): Promise<void> {
    this.#ready ??= (async () => {
      for (const sql of CREATE) {
        try {
          await db.exec(sql);
        } catch (err) {
          // Two workers creating the table at once: PostgreSQL lets one fail on its catalog; the table is there.
          this.#log.debug({ err }, `tracing: ${sql.slice(0, 40)}... raced another node; trying once more`);
          await db.exec(sql);
        }
      }
    })().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #insert(db: Db, b: Block): Promise<void> {
    await db.execInBackground(INSERT, [this.#node, Math.floor(b.start), Math.ceil(b.end), b.count, b.maxDuration, b.errors, b.keys, b.codes, b.traces, b.body]);
  }
}

/** The best `limit` spans of blocks handed to it in the order of their bound, best first. */
class Answer {
  found: Span[] = [];
  readonly #q: SpanQuery;
  readonly #kind: SpanKind;
  readonly #limit: number;
  readonly #rank: (s: Span) => number;

  constructor(q: SpanQuery, kind: SpanKind, order: 'start' | 'duration') {
    this.#q = q;
    this.#kind = kind;
    this.#limit = q.limit ?? 50;
    this.#rank = order === 'start' ? (s) => s.start : (s) => s.durationMs;
  }

  /** Adds a block's matching spans; true once no later block (bound no higher) can change the answer. */
  take(bound: number, body: unknown): boolean {
    const { found } = this;
    // Every block after this one ranks no better than its bound: once the answer is full and
    // its last span beats the bound, no later block can change it.
    if (found.length >= this.#limit && this.#rank(found[found.length - 1]) > bound) return true;
    const more = decodeBody(body).filter((s) => s.kind === this.#kind && matches(s, this.#q));
    // Reversed: among spans of the same rank, the later recorded comes first.
    this.found = [...found, ...more.reverse()].sort((a, b) => this.#rank(b) - this.#rank(a)).slice(0, this.#limit);
    return false;
  }
}

function mayMatch(b: Block, key: string, q: SpanQuery): boolean {
  if (!b.keys.includes(`,${key}`)) return false;
  if (q.minDurationMs !== undefined && b.maxDuration < q.minDurationMs) return false;
  if (q.error === true && b.errors === 0) return false;
  if (typeof q.error === 'string' && !b.codes.includes(`,${q.error},`)) return false;
  return true;
}


function matches(s: Span, q: SpanQuery): boolean {
  if (q.service !== undefined && s.service !== q.service) return false;
  if (q.method !== undefined && s.method !== q.method) return false;
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.error === true && s.error === undefined) return false;
  if (q.error === false && s.error !== undefined) return false;
  if (typeof q.error === 'string' && s.error !== q.error) return false;
  return true;
}

/**
 * The spans of one trace as a tree: each under its parent, in start order. A span whose parent is
 * not among them (the client's own span, or one not shipped yet) is a root.
 */
export function spanTree(spans: readonly Span[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>(spans.map((s) => [s.spanId, { ...s, children: [] }]));
  const roots: SpanNode[] = [];
  for (const node of [...nodes.values()].sort((a, b) => a.start - b.start)) {
    const parent = node.parentSpanId === undefined ? undefined : nodes.get(node.parentSpanId);
    if (parent === undefined) {
      roots.push(node);
      continue;
    }
    parent.children.push(node);
    // Send to take: exact on one node, as good as the nodes' clocks agree across them.
    if (node.kind === 'provider' && parent.kind === 'transport') node.queueWaitMs = Math.max(0, node.start - parent.start);
  }
  return roots;
}
