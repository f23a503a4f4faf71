import { type Db } from '../infrastructure/db';
import { type Logger } from '../logging';
import { type Span, type SpanKind } from './span';

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
// Blocks read per query round: enough to answer a typical `recent` in one.
const BLOCKS_PER_READ = 8;
const CREATE = [
  // Column order matters to SQLite: the summary columns come before the body, so that a scan of
  // them (trace_ids for tracing.get) never reads the body's overflow pages.
  `CREATE TABLE IF NOT EXISTS ${TABLE} (node TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, span_count INTEGER NOT NULL, max_duration_ms DOUBLE PRECISION NOT NULL, error_count INTEGER NOT NULL, keys TEXT NOT NULL, error_codes TEXT NOT NULL, trace_ids TEXT NOT NULL, body TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_end ON ${TABLE} (end_ms)`,
];

/**
 * Where the tracing service keeps spans: a ring of the latest `ringSize` spans in memory (whole
 * traces go, oldest first) and, when the node has a `db`, the table `junction_span_blocks`,
 * created on first use. With a db, queries read the table: it holds the spans every worker received.
 *
 * The table holds blocks, not spans: each batch a node ships is one row, its spans as JSON, with
 * what queries prune on (time range, longest duration, errors, `kind|service|method` keys, trace
 * ids). A row per span cost more than the call it traced (four rows a call, each an insert into a
 * random-keyed trace index); a row per batch costs a few microseconds a call. Queries read the
 * few blocks that can hold an answer, newest (recent) or slowest (slowest) first, and stop as
 * soon as no further block can improve it.
 */
export class SpanStore {
  readonly #ringSize: number;
  readonly #db: Db | undefined;
  readonly #node: string;
  readonly #log: Logger;
  readonly #ring = new Map<string, Span[]>();
  #count = 0;
  #ready: Promise<void> | undefined;

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

  /** What the ring holds now. */
  size(): { traces: number; spans: number } {
    return { traces: this.#ring.size, spans: this.#count };
  }

  async add(spans: readonly Span[]): Promise<void> {
    for (const s of spans) {
      const list = this.#ring.get(s.traceId);
      if (list === undefined) this.#ring.set(s.traceId, [s]);
      else list.push(s);
      this.#count++;
    }
    // A Map iterates in insertion order: the first trace is the oldest.
    for (const [id, list] of this.#ring) {
      if (this.#count <= this.#ringSize) break;
      this.#ring.delete(id);
      this.#count -= list.length;
    }
    if (this.#db !== undefined && spans.length > 0) {
      await this.#insert(this.#db, spans);
      await this.#prune(this.#db);
    }
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
    const mine = this.#ring.get(traceId) ?? [];
    if (this.#db === undefined) return [...mine];
    await this.#table(this.#db);
    // Trace ids are checked hex by the service; anything else could not match a stored one.
    const rows = /^[0-9a-f]+$/.test(traceId) ? await this.#db.query(`SELECT body FROM ${TABLE} WHERE trace_ids LIKE $1`, [`%,${traceId},%`]) : [];
    const byId = new Map<string, Span>();
    for (const r of rows) for (const s of parseBody(r.body)) if (s.traceId === traceId) byId.set(s.spanId, s);
    for (const s of mine) if (!byId.has(s.spanId)) byId.set(s.spanId, s); // not yet written
    return [...byId.values()].sort((a, b) => a.start - b.start);
  }

  recent(q: SpanQuery): Promise<Span[]> {
    return this.#find(q, 'start');
  }

  slowest(q: SpanQuery): Promise<Span[]> {
    return this.#find(q, 'duration');
  }

  async #find(q: SpanQuery, order: 'start' | 'duration'): Promise<Span[]> {
    const limit = q.limit ?? 50;
    const kind = q.kind ?? 'provider';
    const rank = order === 'start' ? (s: Span) => s.start : (s: Span) => s.durationMs;
    const best = (all: Span[]) => all.sort((a, b) => rank(b) - rank(a)).slice(0, limit);
    if (this.#db === undefined) {
      // Reversed first: among spans that started in the same millisecond, the later recorded comes first.
      return best([...this.#ring.values()].flat().reverse().filter((s) => s.kind === kind && matches(s, q)));
    }
    await this.#table(this.#db);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    // Prunes blocks that cannot hold a match (a superset: LIKE's `_` matches any character); the
    // spans themselves are matched exactly below.
    const key = q.service === undefined ? `${kind}|` : q.method === undefined ? `${kind}|${q.service}|` : `${kind}|${q.service}|${q.method},`;
    add((n) => `keys LIKE ${n}`, `%,${key}%`);
    if (q.minDurationMs !== undefined) add((n) => `max_duration_ms >= ${n}`, q.minDurationMs);
    if (q.error === true) where.push('error_count > 0');
    else if (typeof q.error === 'string') add((n) => `error_codes LIKE ${n}`, `%,${q.error},%`);
    // Blocks in the order their best span could rank: by latest start, or by longest duration.
    const bound = order === 'start' ? 'end_ms' : 'max_duration_ms';
    let found: Span[] = [];
    for (let offset = 0; ; offset += BLOCKS_PER_READ) {
      const rows = await this.#db.query(`SELECT ${bound} AS bound, body FROM ${TABLE} WHERE ${where.join(' AND ')} ORDER BY ${bound} DESC LIMIT ${BLOCKS_PER_READ} OFFSET ${offset}`, params);
      for (const r of rows) {
        // Every block after this one ranks no better than its bound: once the answer is full and
        // its last span beats the bound, no later block can change it.
        if (found.length >= limit && rank(found[found.length - 1]) > Number(r.bound)) return found;
        found = best([...found, ...parseBody(r.body).filter((s) => s.kind === kind && matches(s, q))]);
      }
      if (rows.length < BLOCKS_PER_READ) return found;
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

  async #insert(db: Db, spans: readonly Span[]): Promise<void> {
    await this.#table(db);
    let start = Infinity;
    let end = -Infinity;
    let maxDuration = 0;
    let errors = 0;
    const keys = new Set<string>();
    const codes = new Set<string>();
    const traces = new Set<string>();
    for (const s of spans) {
      if (s.start < start) start = s.start;
      if (s.start > end) end = s.start;
      if (s.durationMs > maxDuration) maxDuration = s.durationMs;
      if (s.error !== undefined) {
        errors++;
        codes.add(s.error);
      }
      keys.add(`${s.kind}|${s.service}|${s.method}`);
      traces.add(s.traceId);
    }
    const list = (set: Set<string>) => `,${[...set].join(',')},`;
    await db.execInBackground(
      `INSERT INTO ${TABLE} (node, start_ms, end_ms, span_count, max_duration_ms, error_count, keys, error_codes, trace_ids, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [this.#node, Math.floor(start), Math.ceil(end), spans.length, maxDuration, errors, list(keys), list(codes), list(traces), encodeBlock(spans)],
    );
  }
}

/**
 * A block's body: its spans as JSON arrays of values rather than objects, `name` left out where
 * it is `service.method`: half the bytes of objects, and bytes are what a stored span costs
 * (written to the WAL, then again to the database file). The version comes first.
 */
type StoredSpan = [string, string, string | null, SpanKind, string, string, string, number, number, string | null, unknown, Span['attrs'] | null, string | null];

function encodeBlock(spans: readonly Span[]): string {
  const rows = spans.map((s): StoredSpan => [
    s.traceId,
    s.spanId,
    s.parentSpanId ?? null,
    s.kind,
    s.service,
    s.method,
    s.node,
    s.start,
    // Microseconds are all a duration measured here can tell.
    Math.round(s.durationMs * 1000) / 1000,
    s.error ?? null,
    s.args ?? null,
    s.attrs ?? null,
    s.name === `${s.service}.${s.method}` ? null : s.name,
  ]);
  return JSON.stringify([1, rows]);
}

function parseBody(body: unknown): Span[] {
  if (typeof body !== 'string') return [];
  const parsed = JSON.parse(body) as unknown[];
  // Version 0, written by a development version of the store before any release: span objects.
  if (parsed.length === 0 || typeof parsed[0] === 'object') return parsed as Span[];
  const [version, rows] = parsed as [unknown, StoredSpan[]];
  if (version !== 1) throw new Error(`${TABLE}: a block of version ${JSON.stringify(version)}, which this version of Junction cannot read (it reads 0 and 1); delete the table's rows to start afresh`);
  return rows.map(([traceId, spanId, parentSpanId, kind, service, method, node, start, durationMs, error, args, attrs, name]) => {
    const span: Span = { traceId, spanId, kind, name: name ?? `${service}.${method}`, service, method, node, start, durationMs };
    if (parentSpanId !== null) span.parentSpanId = parentSpanId;
    if (error !== null) span.error = error;
    if (args !== null) span.args = args;
    if (attrs !== null) span.attrs = attrs;
    return span;
  });
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
