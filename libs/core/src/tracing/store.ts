import { type Db, type Row } from '../infrastructure/db';
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

const TABLE = 'junction_spans';
const COLUMNS = ['trace_id', 'span_id', 'parent_span_id', 'kind', 'name', 'service', 'method', 'node', 'start_ms', 'duration_ms', 'error', 'args', 'attrs'];
// Rows per INSERT: 13 params each stays far below SQLite's (32766) and PostgreSQL's (65535) limits on parameters.
const ROWS_PER_INSERT = 1000;
const CREATE = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, kind TEXT NOT NULL, name TEXT NOT NULL, service TEXT NOT NULL, method TEXT NOT NULL, node TEXT NOT NULL, start_ms BIGINT NOT NULL, duration_ms DOUBLE PRECISION NOT NULL, error TEXT, args TEXT, attrs TEXT)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_trace ON ${TABLE} (trace_id)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_start ON ${TABLE} (start_ms)`,
];

/**
 * Where the tracing service keeps spans: a ring of the latest `ringSize` spans in memory (whole
 * traces go, oldest first) and, when the node has a `db`, the table `junction_spans`, created on
 * first use. With a db, queries read the table: it holds the spans every worker received.
 */
export class SpanStore {
  readonly #ringSize: number;
  readonly #db: Db | undefined;
  readonly #log: Logger;
  readonly #ring = new Map<string, Span[]>();
  #count = 0;
  #ready: Promise<void> | undefined;

  constructor(opts: { ringSize: number; db?: Db; log: Logger }) {
    this.#ringSize = opts.ringSize;
    this.#db = opts.db;
    this.#log = opts.log;
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
    if (this.#db !== undefined) await this.#insert(this.#db, spans);
  }

  /** Every span of the trace; `[]` for one it does not know. */
  async trace(traceId: string): Promise<Span[]> {
    const mine = this.#ring.get(traceId) ?? [];
    if (this.#db === undefined) return [...mine];
    await this.#table(this.#db);
    const rows = await this.#db.query(`SELECT * FROM ${TABLE} WHERE trace_id = $1 ORDER BY start_ms`, [traceId]);
    const byId = new Map(rows.map((r) => [String(r.span_id), fromRow(r)]));
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
    if (this.#db === undefined) {
      // Reversed first: among spans that started in the same millisecond, the later recorded comes first.
      const all = [...this.#ring.values()].flat().reverse().filter((s) => s.kind === kind && matches(s, q));
      all.sort(order === 'start' ? (a, b) => b.start - a.start : (a, b) => b.durationMs - a.durationMs);
      return all.slice(0, limit);
    }
    await this.#table(this.#db);
    const where = ['kind = $1'];
    const params: unknown[] = [kind];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (q.service !== undefined) add((n) => `service = ${n}`, q.service);
    if (q.method !== undefined) add((n) => `method = ${n}`, q.method);
    if (q.minDurationMs !== undefined) add((n) => `duration_ms >= ${n}`, q.minDurationMs);
    if (q.error === true) where.push('error IS NOT NULL');
    else if (q.error === false) where.push('error IS NULL');
    else if (typeof q.error === 'string') add((n) => `error = ${n}`, q.error);
    params.push(limit);
    const rows = await this.#db.query(`SELECT * FROM ${TABLE} WHERE ${where.join(' AND ')} ORDER BY ${order === 'start' ? 'start_ms' : 'duration_ms'} DESC LIMIT $${params.length}`, params);
    return rows.map(fromRow);
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
    if (spans.length <= ROWS_PER_INSERT) return this.#insertRows(db, spans);
    // One commit for the batch, not one per statement: a commit is what costs (a sync to disk).
    await db.transaction(async (tx) => this.#insertRows(tx, spans));
  }

  async #insertRows(db: Db, spans: readonly Span[]): Promise<void> {
    for (let i = 0; i < spans.length; i += ROWS_PER_INSERT) {
      const chunk = spans.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      const rows = chunk.map((s) => {
        const values = [s.traceId, s.spanId, s.parentSpanId ?? null, s.kind, s.name, s.service, s.method, s.node, Math.round(s.start), s.durationMs, s.error ?? null, s.args === undefined ? null : JSON.stringify(s.args), s.attrs === undefined ? null : JSON.stringify(s.attrs)];
        const marks = values.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await db.exec(`INSERT INTO ${TABLE} (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, params);
    }
  }
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

function fromRow(r: Row): Span {
  const span: Span = {
    traceId: String(r.trace_id),
    spanId: String(r.span_id),
    kind: String(r.kind) as SpanKind,
    name: String(r.name),
    service: String(r.service),
    method: String(r.method),
    node: String(r.node),
    // PostgreSQL returns BIGINT as text.
    start: Number(r.start_ms),
    durationMs: Number(r.duration_ms),
  };
  if (r.parent_span_id !== null && r.parent_span_id !== undefined) span.parentSpanId = String(r.parent_span_id);
  if (r.error !== null && r.error !== undefined) span.error = String(r.error);
  if (typeof r.args === 'string') span.args = JSON.parse(r.args) as unknown;
  if (typeof r.attrs === 'string') span.attrs = JSON.parse(r.attrs) as Span['attrs'];
  return span;
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
