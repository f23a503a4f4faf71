import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSpanId, newTraceId } from '../envelope';
import { createSqliteDb } from '../infrastructure/sqlite';
import { silentLogger } from '../logging';
import { type Span } from './span';
import { SpanStore, spanTree } from './store';

const span = (over: Partial<Span>): Span => ({ traceId: newTraceId(), spanId: newSpanId(), kind: 'provider', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n1', start: 1_000, durationMs: 1, ...over });

describe('SpanStore', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'junction-spans-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps whole traces in its ring, the oldest going first', async () => {
    const store = new SpanStore({ ringSize: 3, log: silentLogger() });
    const [a, b] = [newTraceId(), newTraceId()];
    await store.add([span({ traceId: a }), span({ traceId: a })]);
    await store.add([span({ traceId: b }), span({ traceId: b })]);
    expect(await store.trace(a)).toEqual([]);
    expect(await store.trace(b)).toHaveLength(2);
  });

  it('stores spans in SQLite (created on first use) and finds them by trace, recency, duration and error', async () => {
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'spans.db') });
    const store = new SpanStore({ ringSize: 10, db, log: silentLogger() });
    const traceId = newTraceId();
    const root = span({ traceId, kind: 'transport', name: 'send over remote:rabbit', start: 5_000, durationMs: 9 });
    const served = span({ traceId, parentSpanId: root.spanId, start: 5_003, durationMs: 5, args: { values: [1, 2] }, attrs: { attempt: 2 } });
    const failed = span({ service: 'shots', method: 'create', name: 'shots.create', start: 6_000, durationMs: 30, error: 'INVALID_PARAMS' });
    await store.add([root, served, failed]);
    // A second store on the same table: what another worker would read.
    const other = new SpanStore({ ringSize: 10, db, log: silentLogger() });
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
});
