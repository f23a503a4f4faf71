import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSpanId, newTraceId } from '../envelope';
import { type Db } from '../infrastructure/db';
import { createPostgresDb } from '../infrastructure/postgres';
import { createSqliteDb } from '../infrastructure/sqlite';
import { silentLogger } from '../logging';
import { rawSpan, type RawSpan } from './span';
import { type SpanQuery, SpanStore } from './store';

// The two ways a block reaches its table: an SQLite file is written by the span encoder's own
// thread, PostgreSQL from the event loop with the block the encoder sent back. Both must answer
// alike. Against the real server, in a schema of its own.
const url = process.env.JUNCTION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `junction_t_${randomBytes(6).toString('hex')}`;
let admin: Db;
let dir: string;

beforeAll(async () => {
  admin = createPostgresDb({ type: 'postgres', url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  dir = mkdtempSync(join(tmpdir(), 'junction-store-'));
});
afterAll(async () => {
  await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A traced call's three records: gateway, transport, and provider with its handler; some failed. */
function call(n: number, now: number): RawSpan[] {
  const traceId = newTraceId();
  const [g, t, p, h] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
  const at = now + n * 10;
  const failed = n % 4 === 0;
  const service = n % 3 === 0 ? 'shots' : 'calc';
  const fields = { service, method: 'run', node: 'w1', error: failed ? 'SERVICE_ERROR' : undefined };
  return [
    rawSpan(traceId, p, t, {
      ...fields,
      kind: 'provider',
      name: `${service}.run`,
      start: at + 1,
      durationMs: n / 7,
      rawArgs: [n, `secret-${n}`],
      policy: { names: ['n', 'token'], sensitive: ['token'] },
      attrs: failed ? { errorMessage: `no luck with secret-${n}` } : undefined,
      handler: { spanId: h, start: at + 1.5, durationMs: n / 9 },
    }),
    rawSpan(traceId, t, g, { ...fields, kind: 'transport', name: 'send over remote:mem', start: at + 0.5, durationMs: n / 5 + 0.01 }),
    rawSpan(traceId, g, undefined, { ...fields, kind: 'gateway', name: `${service}.run`, start: at, durationMs: n / 5 + 0.02 }),
  ];
}

describe('SpanStore on SQLite (written by the encoder thread) and PostgreSQL (written from the event loop)', () => {
  it('answers the same spans to every query', async () => {
    const sqlite = createSqliteDb({ type: 'sqlite', path: join(dir, 'spans.db') });
    const pg = createPostgresDb({ type: 'postgres', url, schema, poolSize: 2 });
    const now = Date.now();
    const stores = [sqlite, pg].map((db) => new SpanStore({ ringSize: 1000, db, log: silentLogger(), node: 'w1' }));
    try {
      const calls = Array.from({ length: 40 }, (_, n) => call(n + 1, now));
      // Four batches, as a tracer would ship them.
      for (let b = 0; b < 4; b++) {
        const batch = calls.slice(b * 10, b * 10 + 10).flat();
        for (const store of stores) await store.add(batch);
      }
      const queries: SpanQuery[] = [{}, { service: 'shots' }, { service: 'calc', method: 'run', minDurationMs: 2 }, { error: true }, { error: 'SERVICE_ERROR', kind: 'handler' }, { error: false, limit: 5 }, { kind: 'gateway', limit: 100 }];
      for (const q of queries) {
        const [fromSqlite, fromPg] = await Promise.all(stores.map((s) => s.recent(q)));
        expect(fromPg).toEqual(fromSqlite);
        expect(fromSqlite.length).toBeGreaterThan(0);
        const [slowSqlite, slowPg] = await Promise.all(stores.map((s) => s.slowest(q)));
        expect(slowPg).toEqual(slowSqlite);
      }
      const traceId = calls[7][0].traceId;
      const [trace, pgTrace] = await Promise.all(stores.map((s) => s.trace(traceId)));
      expect(pgTrace).toEqual(trace);
      expect(trace.map((s) => s.kind)).toEqual(['gateway', 'transport', 'provider', 'handler']);
      expect(trace[2]).toMatchObject({ args: { n: 8, token: '[redacted]' }, error: 'SERVICE_ERROR', attrs: { errorMessage: 'no luck with [redacted]' } });
      expect(JSON.stringify(await Promise.all(stores.map((s) => s.recent({ limit: 1000 }))))).not.toContain('secret-');
    } finally {
      for (const store of stores) await store.close();
      await sqlite.close();
      await pg.close();
    }
  });
});
