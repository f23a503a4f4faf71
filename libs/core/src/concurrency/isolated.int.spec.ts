import { Writable } from 'node:stream';
import { threadId } from 'node:worker_threads';
import { Type } from '@sinclair/typebox';
import { newRequestId, type Args } from '../envelope';
import { fromWire, type JunctionError } from '../errors';
import { createSqliteDb, type Db } from '../infrastructure';
import { createLogger } from '../logging';
import { Provider } from '../provider/provider';
import { defineService, method } from '../service';
import { type ConcurrencyConfig } from './concurrency';

const FIXTURE = require.resolve('../fixtures/isolated-service');

const helper = defineService({
  name: 'helper',
  version: '1.0.0',
  description: 'Answers ctx.call from guests, on the host.',
  methods: {
    add: method({ description: 'a + b', params: { a: Type.Number(), b: Type.Number() }, result: Type.Number(), handler: ({ a, b }) => a + b }),
  },
});

interface Harness {
  provider: Provider;
  db: Db;
  lines: Record<string, unknown>[];
  call<T = unknown>(method: string, args?: Args, timeoutMs?: number): Promise<T>;
  fail(method: string, args?: Args, timeoutMs?: number): Promise<JunctionError>;
  close(): Promise<void>;
}

async function harness(concurrency: ConcurrencyConfig): Promise<Harness> {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const db = createSqliteDb({ type: 'sqlite', path: ':memory:' });
  await db.exec('CREATE TABLE ran (tag TEXT NOT NULL); CREATE TABLE uniq (k TEXT PRIMARY KEY)');
  const { service } = require(FIXTURE) as typeof import('../fixtures/isolated-service');
  const provider = new Provider({ log: createLogger({ destination, level: 'info' }), infrastructure: { db }, node: 'test-node' });
  provider.register(service, { concurrency, module: FIXTURE, settings: { greeting: 'hello', nested: { at: new Date(0).toISOString() } } });
  provider.register(helper);
  provider.connect((req) => provider.handle(req));
  const call = async <T>(m: string, args: Args = {}, timeoutMs = 10_000): Promise<T> => {
    const reply = await provider.handle({ id: newRequestId(), service: 'isolated', method: m, args, meta: { deadline: Date.now() + timeoutMs } });
    if (reply.error !== undefined) throw fromWire(reply.error);
    return reply.result as T;
  };
  return {
    provider,
    db,
    lines,
    call,
    fail: (m, args, timeoutMs) =>
      call(m, args, timeoutMs).then(
        (v) => {
          throw new Error(`expected ${m} to fail, it answered ${JSON.stringify(v)}`);
        },
        (e: JunctionError) => e,
      ),
    async close() {
      await provider.close();
      await db.close();
    },
  };
}

const MODULES: [string, ConcurrencyConfig][] = [
  ['threads', { type: 'threads', maxThreads: 2, minThreads: 1, idleTimeoutMs: 30_000, maxQueue: 20 }],
  ['processes', { type: 'processes', processes: 2, maxInFlightPerProcess: 1, maxQueue: 20, killGraceMs: 200 }],
];

describe.each(MODULES)('concurrency module %s', (type, config) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(config);
  });
  afterAll(() => h.close());

  it('runs the handler outside this event loop', async () => {
    const where = await h.call<{ pid: number; threadId: number }>('where');
    if (type === 'threads') {
      expect(where.pid).toBe(process.pid);
      expect(where.threadId).not.toBe(threadId);
    } else {
      expect(where.pid).not.toBe(process.pid);
    }
  });

  it('carries args and results both ways, nested structures included', async () => {
    const value = { list: [1, 'two', null, { three: 3.5 }], text: 'é <&> 日', flag: true };
    await expect(h.call('echo', { value })).resolves.toEqual(value);
  });

  it('sends ctx.call back through the host chain', async () => {
    await expect(h.call('add', { a: 40, b: 2 })).resolves.toBe(42);
  });

  it("reads the service's settings through ctx.infra.config", async () => {
    await expect(h.call('setting', { key: 'greeting' })).resolves.toBe('hello');
    await expect(h.call('setting', { key: 'missing' })).resolves.toBeNull();
  });

  it("uses the host's database, transactions included", async () => {
    const tag = `${type}-tx`;
    await expect(h.call('transfer', { tag, fail: false })).resolves.toBe(2);
    const failed = await h.fail('transfer', { tag: `${tag}-rolled`, fail: true });
    expect(failed.code).toBe('SERVICE_ERROR');
    const rows = await h.db.query<{ tag: string }>('SELECT tag FROM ran WHERE tag LIKE $1 ORDER BY tag', [`${tag}%`]);
    expect(rows.map((r) => r.tag)).toEqual([`${tag}-1`, `${tag}-2`]);
  });

  it("keeps a database error's driver code", async () => {
    await h.db.exec('DELETE FROM uniq');
    await expect(h.call('duplicate')).resolves.toMatch(/^SQLITE_CONSTRAINT/);
  });

  it("writes ctx.log lines through the host's logger, with the call's bindings", async () => {
    await h.call('log', { text: `from ${type}` });
    const line = h.lines.find((l) => l.msg === `from ${type}`);
    expect(line).toMatchObject({ level: 30, service: 'isolated', method: 'log', detail: 42, node: 'test-node' });
    expect(line?.requestId).toEqual(expect.any(String));
  });

  it("follows the service's log level set at runtime, in guests started before the change", async () => {
    await h.call('log', { text: `before ${type}` });
    h.provider.setLogLevel('isolated', 'debug');
    await h.call('log', { text: `during ${type}` });
    h.provider.setLogLevel('isolated', undefined);
    await h.call('log', { text: `after ${type}` });
    const debug = h.lines.filter((l) => l.level === 20).map((l) => l.msg);
    expect(debug).toEqual([`debug: during ${type}`]);
    expect(h.lines.find((l) => l.msg === `debug: during ${type}`)).toMatchObject({ service: 'isolated', method: 'log', node: 'test-node' });
  });

  it('answers a typed error as it was thrown', async () => {
    const err = await h.fail('refuses');
    expect(err.code).toBe('SERVICE_ERROR');
    expect(err.data).toMatchObject({ reason: 'NOPE', why: 'test' });
  });

  it('answers INTERNAL for an unexpected throw, logs it, and goes on', async () => {
    const err = await h.fail('throws');
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain('internal error in isolated.throws');
    expect(err.message).not.toContain('the handler broke');
    expect(h.lines.some((l) => l.msg === 'unexpected error in handler' && JSON.stringify(l.err).includes('the handler broke'))).toBe(true);
    await expect(h.call('add', { a: 1, b: 1 })).resolves.toBe(2);
  });

  it('answers INTERNAL when the handler ends its thread or process, and recovers', async () => {
    const before = await h.call<{ pid: number; threadId: number }>('where');
    const err = await h.fail('exits', { code: 3 });
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain('isolated.exits');
    if (type === 'processes') expect(err.message).toContain('exited with code 3');
    for (let i = 0; i < 4; i++) await expect(h.call('add', { a: i, b: 1 })).resolves.toBe(i + 1);
    expect(before.pid).toBeGreaterThan(0);
  });

  it('answers TIMEOUT at the deadline of a busy handler, and recovers', async () => {
    const started = Date.now();
    const err = await h.fail('spin', { ms: 5_000 }, 300);
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_500);
    await expect(h.call('add', { a: 2, b: 2 })).resolves.toBe(4);
  });

  it('does not run a call whose deadline passed while it waited', async () => {
    const tag = `${type}-expired`;
    // Both workers busy for 600 ms; the queued call expires at 200 ms.
    const busy = [h.call('spin', { ms: 600 }), h.call('spin', { ms: 600 })];
    await new Promise((r) => setTimeout(r, 50));
    const expiredBefore = h.provider.queues().find((q) => q.name.includes('isolated'))!.expired;
    const err = await h.fail('record', { tag }, 200);
    expect(err.code).toBe('TIMEOUT');
    await Promise.all(busy);
    await new Promise((r) => setTimeout(r, 100));
    expect(await h.db.query('SELECT tag FROM ran WHERE tag = $1', [tag])).toEqual([]);
    expect(h.provider.queues().find((q) => q.name.includes('isolated'))!.expired).toBe(expiredBefore + 1);
  });

  it('answers OVERLOADED at once to a burst of ten times its bound, and completes what it admitted', async () => {
    const tag = `${type}-burst`;
    const bound = config.maxQueue + 2; // two workers, one call each, plus the waiting line
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: bound * 10 }, (_, i) =>
        h.call('record', { tag, spinMs: 20 }, 20_000).then(
          () => ({ ok: true as const, i, at: Date.now() }),
          (e: JunctionError) => ({ ok: false as const, i, at: Date.now(), code: e.code }),
        ),
      ),
    );
    const admitted = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => !o.ok);
    expect(admitted).toHaveLength(bound);
    expect(new Set(refused.map((o) => (o.ok ? '' : o.code)))).toEqual(new Set(['OVERLOADED']));
    // Refusals come before the first admitted call finishes: nobody waited to be refused.
    const firstDone = Math.min(...admitted.map((o) => o.at));
    expect(Math.max(...refused.map((o) => o.at))).toBeLessThanOrEqual(firstDone);
    expect(await h.db.query('SELECT tag FROM ran WHERE tag = $1', [tag])).toHaveLength(bound);
    expect(Date.now() - started).toBeGreaterThan(0);
    // And it serves normally once the burst is over.
    await expect(h.call('add', { a: 5, b: 5 })).resolves.toBe(10);
    expect(h.provider.queues().find((q) => q.name.includes('isolated'))).toMatchObject({ inFlight: 0, waiting: 0 });
  });
});

describe('isolating modules', () => {
  it('refuse a service registered without its module, naming the fix', () => {
    const { service } = require(FIXTURE) as typeof import('../fixtures/isolated-service');
    const provider = new Provider({ infrastructure: { db: createSqliteDb({ type: 'sqlite', path: ':memory:' }) } });
    expect(() => provider.register(service, { concurrency: { type: 'threads', minThreads: 0, idleTimeoutMs: 1000, maxQueue: 1 } })).toThrow(
      /cannot run under concurrency "threads".*register\(def, \{ module: require\.resolve/,
    );
  });
});
