import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSpanId, newTraceId } from '../envelope';
import { createSqliteDb } from '../infrastructure/sqlite';
import { silentLogger } from '../logging';
import { type RawSpan, type Span } from './span';
import { SpanStore, spanTree } from './store';

const span = (over: Partial<Span>): Span => ({ traceId: newTraceId(), spanId: newSpanId(), kind: 'provider', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n1', start: 1_000, durationMs: 1, ...over });

const spanWith = (handler: RawSpan['handler'], over: Partial<Span>): RawSpan => ({ ...span(over), handler });

describe('SpanStore', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'junction-spans-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the latest batches in its ring, at most ringSize spans, the oldest batch going first', async () => {
    const store = new SpanStore({ ringSize: 3, log: silentLogger() });
    const [a, b] = [newTraceId(), newTraceId()];
    const first = [span({ traceId: a, start: 1 }), span({ traceId: a, start: 2 })];
    await store.add(first);
    expect(await store.trace(a)).toEqual(first);
    await store.add([span({ traceId: b, start: 4 }), span({ traceId: b, start: 3 })]);
    expect(await store.trace(a)).toEqual([]);
    expect((await store.trace(b)).map((s) => s.start)).toEqual([3, 4]);
    expect(store.size()).toEqual({ traces: 1, spans: 2 });
    // One trace shipped in two batches is one trace.
    const wide = new SpanStore({ ringSize: 10, log: silentLogger() });
    await wide.add([span({ traceId: a }), span({ traceId: b })]);
    await wide.add([span({ traceId: a })]);
    expect(wide.size()).toEqual({ traces: 2, spans: 3 });
    expect((await store.recent({})).map((s) => s.start)).toEqual([4, 3]);
  });

  it('stores spans in SQLite (created on first use) and finds them by trace, recency, duration and error', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'spans.db') });
    const store = new SpanStore({ ringSize: 10, db, log: silentLogger(), now: () => 10_000 });
    const traceId = newTraceId();
    const root = span({ traceId, kind: 'transport', name: 'send over remote:rabbit', start: 5_000, durationMs: 9 });
    const served = span({ traceId, parentSpanId: root.spanId, start: 5_003, durationMs: 5, args: { values: [1, 2] }, attrs: { attempt: 2 } });
    const failed = span({ service: 'shots', method: 'create', name: 'shots.create', start: 6_000, durationMs: 30, error: 'INVALID_PARAMS' });
    await store.add([root, served, failed]);
    // A second store on the same table: what another worker would read.
    const other = new SpanStore({ ringSize: 10, db, log: silentLogger(), now: () => 10_000 });
    expect(await other.trace(traceId)).toEqual([root, served]);
    expect((await other.recent({})).map((s) => s.name)).toEqual(['shots.create', 'calc.sum']);
    expect((await other.recent({ service: 'calc', minDurationMs: 4 })).map((s) => s.spanId)).toEqual([served.spanId]);
    expect((await other.recent({ error: true })).map((s) => s.error)).toEqual(['INVALID_PARAMS']);
    expect((await other.recent({ error: 'TIMEOUT' }))).toEqual([]);
    expect((await other.slowest({ limit: 1 })).map((s) => s.durationMs)).toEqual([30]);
    const [tree] = spanTree(await other.trace(traceId));
    expect(tree.children[0]).toMatchObject({ spanId: served.spanId, queueWaitMs: 3 });
    await db.close();
  });

  it('reads blocks an earlier version wrote (body version 1) beside its own', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'v1.db') });
    const store = new SpanStore({ ringSize: 1, db, log: silentLogger(), now: () => 10_000 });
    const mine = span({ start: 9_000 });
    await store.add([mine]); // creates the table
    const traceId = newTraceId();
    const old = span({ traceId, name: 'send over remote:rabbit', kind: 'transport', start: 8_000, durationMs: 2.5, error: 'TIMEOUT', args: { a: 1 }, attrs: { attempt: 2 } });
    const v1 = JSON.stringify([1, [[old.traceId, old.spanId, null, old.kind, old.service, old.method, old.node, old.start, old.durationMs, old.error, old.args, old.attrs, old.name]]]);
    await db.exec(
      'INSERT INTO junction_span_blocks (node, start_ms, end_ms, span_count, max_duration_ms, error_count, keys, error_codes, trace_ids, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      ['n0', 8_000, 8_000, 1, 2.5, 1, ',transport|calc|sum,', ',TIMEOUT,', `,${traceId},`, v1],
    );
    expect(await store.trace(traceId)).toEqual([old]);
    expect((await store.recent({ kind: 'transport', error: 'TIMEOUT' })).map((s) => s.spanId)).toEqual([old.spanId]);
    expect((await store.recent({})).map((s) => s.spanId)).toEqual([mine.spanId]);
    await db.close();
  });

  it('reads blocks of version 2 (args as values, no handler part)', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'v2.db') });
    const store = new SpanStore({ ringSize: 1, db, log: silentLogger(), now: () => 10_000 });
    await store.add([span({ start: 9_000 })]); // creates the table
    const traceId = newTraceId();
    const old = span({ traceId, start: 8_000, durationMs: 2.5, error: 'TIMEOUT', args: { a: [1, 'two'] }, attrs: { attempt: 2 } });
    const v2 = JSON.stringify([2, ['provider', 'calc', 'sum', 'n1', 'calc.sum', 'TIMEOUT'], [traceId], 8_000, [[0, old.spanId, null, 0, 1, 2, 3, 0, 2.5, 4, 5, old.args, old.attrs]]]);
    await db.exec(
      'INSERT INTO junction_span_blocks (node, start_ms, end_ms, span_count, max_duration_ms, error_count, keys, error_codes, trace_ids, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      ['n0', 8_000, 8_000, 1, 2.5, 1, ',provider|calc|sum,', ',TIMEOUT,', `,${traceId},`, v2],
    );
    expect(await store.trace(traceId)).toEqual([old]);
    await db.close();
  });

  it('reads blocks of version 3 (JSON rows, durations in whole µs, a handler part)', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'v3.db') });
    const store = new SpanStore({ ringSize: 1, db, log: silentLogger(), now: () => 10_000 });
    await store.add([span({ start: 9_000 })]); // creates the table
    const traceId = newTraceId();
    const [parent, provider, handler] = [newSpanId(), newSpanId(), newSpanId()];
    const v3 = JSON.stringify([3, ['provider', 'calc', 'sum', 'n1', 'calc.sum', 'TIMEOUT'], [traceId], 8_000, [[0, provider, parent, 0, 1, 2, 3, 0, 2500, 4, 5, '{"a":1}', { attempt: 2 }, [handler, 1, 1250]]]]);
    await db.exec(
      'INSERT INTO junction_span_blocks (node, start_ms, end_ms, span_count, max_duration_ms, error_count, keys, error_codes, trace_ids, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      ['n0', 8_000, 8_001, 2, 2.5, 1, ',provider|calc|sum,handler|calc|sum,', ',TIMEOUT,', `,${traceId},`, v3],
    );
    const common = { traceId, name: 'calc.sum', service: 'calc', method: 'sum', node: 'n1', error: 'TIMEOUT' };
    expect(await store.trace(traceId)).toEqual([
      { ...common, spanId: provider, parentSpanId: parent, kind: 'provider', start: 8_000, durationMs: 2.5, args: { a: 1 }, attrs: { attempt: 2 } },
      { ...common, spanId: handler, parentSpanId: provider, kind: 'handler', start: 8_001, durationMs: 1.25 },
    ]);
    await db.close();
  });

  it("keeps a provider's handler span in its row, redacts the record's args as it encodes them, and answers both spans", async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'folded.db') });
    for (const store of [new SpanStore({ ringSize: 10, log: silentLogger() }), new SpanStore({ ringSize: 10, db, log: silentLogger(), now: () => 10_000 })]) {
      const traceId = newTraceId();
      const record: RawSpan = {
        ...span({ traceId, parentSpanId: newSpanId(), service: 'auth', method: 'login', name: 'auth.login', start: 5_000, durationMs: 4, error: 'SERVICE_ERROR', attrs: { errorMessage: 'no user ann with hunter22' } }),
        rawArgs: ['ann', 'hunter22'],
        policy: { names: ['user', 'password'], sensitive: ['password'] },
        handler: { spanId: newSpanId(), start: 5_001, durationMs: 2.5 },
      };
      await store.add([record]);
      const [provider, handler] = await store.trace(traceId);
      expect(provider).toEqual({ traceId, spanId: record.spanId, parentSpanId: record.parentSpanId, kind: 'provider', name: 'auth.login', service: 'auth', method: 'login', node: 'n1', start: 5_000, durationMs: 4, error: 'SERVICE_ERROR', args: { user: 'ann', password: '[redacted]' }, attrs: { errorMessage: 'no user ann with [redacted]' } });
      expect(handler).toEqual({ traceId, spanId: record.handler!.spanId, parentSpanId: record.spanId, kind: 'handler', name: 'auth.login', service: 'auth', method: 'login', node: 'n1', start: 5_001, durationMs: 2.5, error: 'SERVICE_ERROR' });
      expect((await store.recent({ kind: 'handler', service: 'auth' })).map((s) => s.spanId)).toEqual([record.handler!.spanId]);
      expect(store.size().spans).toBe(2);
    }
    await db.close();
  });

  it('deletes stored blocks past the retention, at most once a minute', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'retention.db') });
    const hour = 3_600_000;
    let now = 10 * hour;
    // A ring of one span: the trace asked for below is read from the table, not from memory.
    const store = new SpanStore({ ringSize: 1, db, log: silentLogger(), retentionHours: 1, now: () => now });
    const [fresh, old] = [newTraceId(), newTraceId()];
    await store.add([span({ traceId: fresh, start: now })]); // the first add prunes (nothing yet)
    now += 30_000;
    await store.add([span({ traceId: old, start: now - 2 * hour })]);
    await store.add([span({ traceId: fresh, start: now })]);
    expect(await store.trace(old)).toHaveLength(1); // within the minute: not pruned again
    now += 31_000;
    await store.add([span({ traceId: fresh, start: now })]);
    expect(await store.trace(old)).toEqual([]);
    expect(await store.trace(fresh)).toHaveLength(3);
    await db.close();
  });

  it('answers from stored blocks exactly as from memory, whatever the filters, across many blocks', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'blocks.db') });
    const stored = new SpanStore({ ringSize: 10, db, log: silentLogger(), node: 'n1', now: () => 2_000_000 });
    const memory = new SpanStore({ ringSize: 100_000, log: silentLogger() });
    // A seeded sequence, so that a failure replays.
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    const traces = Array.from({ length: 40 }, () => newTraceId());
    for (let block = 0; block < 30; block++) {
      const batch = Array.from({ length: 20 }, () => {
        const [service, method] = pick([['calc', 'sum'], ['calc', 'divide'], ['shots', 'create'], ['shots_x', 'list']]);
        const kind = pick(['provider', 'provider', 'gateway', 'handler'] as const);
        const start = 1_000_000 + Math.floor(next() * 100_000);
        // Half the providers' records carry their handler's span, as this node's tracer makes them.
        const handler = kind === 'provider' && next() < 0.5 ? { spanId: newSpanId(), start: start + Math.floor(next() * 3), durationMs: Math.round(next() * 200) / 10 } : undefined;
        return spanWith(handler, {
          traceId: pick(traces),
          kind,
          service,
          method,
          name: `${service}.${method}`,
          start,
          durationMs: Math.round(next() * 500) / 10,
          error: next() < 0.2 ? pick(['TIMEOUT', 'INVALID_PARAMS']) : undefined,
        });
      });
      await stored.add(batch);
      await memory.add(batch);
    }
    const queries = [{}, { limit: 5 }, { kind: 'handler' as const }, { service: 'calc' }, { service: 'calc', method: 'divide', limit: 3 }, { service: 'shotsxx' }, { minDurationMs: 40 }, { error: true }, { error: 'TIMEOUT', limit: 4 }, { error: false }, { kind: 'gateway' as const, limit: 7 }];
    const ids = (list: Span[]) => list.map((s) => s.spanId);
    for (const q of queries) {
      // Ties in the ranking may come in either order; the ranked values may not.
      expect((await stored.recent(q)).map((s) => s.start)).toEqual((await memory.recent(q)).map((s) => s.start));
      expect((await stored.slowest(q)).map((s) => s.durationMs)).toEqual((await memory.slowest(q)).map((s) => s.durationMs));
    }
    for (const t of traces.slice(0, 5)) expect(ids(await stored.trace(t)).sort()).toEqual(ids(await memory.trace(t)).sort());
    expect(await stored.trace('not-hex')).toEqual([]);
    await db.close();
  });

  it('writes an SQLite file from its encoder thread, says which batch it could not store and why, and lets go of the file when closed', async () => {
    const path = join(dir, 'own-thread.db');
    const db = createSqliteDb({ type: 'sqlite', path });
    const store = new SpanStore({ ringSize: 10, db, log: silentLogger(), node: 'w1' });
    const first = span({ start: Date.now() });
    await store.add([first]);
    expect(await db.query('SELECT node, span_count FROM junction_span_blocks')).toEqual([{ node: 'w1', span_count: 1 }]);
    expect(await store.trace(first.traceId)).toEqual([first]);
    expect(store.size()).toEqual({ traces: 1, spans: 1 });
    // The table goes away under it: the batch is refused with SQLite's reason, nothing else breaks.
    await db.exec('DROP TABLE junction_span_blocks');
    await expect(store.add([span({})])).rejects.toThrow(/could not encode or store a batch: no such table: junction_span_blocks/);
    await store.close();
    await expect(store.add([span({})])).rejects.toThrow('tracing: the span store of node "w1" is closed; 1 span(s) were not stored');
    // The last connection to close removes the WAL: none is left open on the file.
    await db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
