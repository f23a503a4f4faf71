import { type CallReply } from '../envelope';
import { createCache } from './cache';
import { type CacheBackend, cacheBackends } from './cache-backends';
import { described, fail, param, linkDeps, ok, recorder, request } from './proxy.test-support';

describe('cache proxy', () => {
  const methods = {
    'calc.divide': described('divide', { cache: { ttlMs: 1000 }, idempotent: true, params: [param('dividend'), param('divisor')] }),
    'calc.subtract': described('subtract', { idempotent: true }),
    'shots.list': described('list', { cache: { ttlMs: 1000 }, access: ['artist'] }),
  };
  const config = { type: 'cache' as const, backend: { type: 'memory' as const, maxEntries: 100, maxBytes: 1_000_000 } };
  let deps: ReturnType<typeof linkDeps>;
  let next: ReturnType<typeof recorder>;
  let link: (req: ReturnType<typeof request>) => Promise<CallReply>;

  beforeEach(() => {
    deps = linkDeps(methods);
    next = recorder((r, n) => ok(r, { run: n, args: r.args }));
    link = createCache(config, deps)(next);
  });

  it('calls once for repeated identical calls, in any key order or by position, within the TTL', async () => {
    const first = await link(request('calc', 'divide', { dividend: 1, divisor: 4 }));
    const again = await link({ ...request('calc', 'divide', { divisor: 4, dividend: 1 }), id: 'req-2' });
    const positional = await link(request('calc', 'divide', [1, 4]));
    expect(next.seen).toHaveLength(1);
    expect(again).toEqual({ id: 'req-2', result: first.result });
    expect(positional.result).toEqual(first.result);
    expect(deps.statuses[0]()).toEqual({ type: 'cache', backend: 'memory', available: true, hits: 2, misses: 1, shared: 0, entries: 1, bytes: expect.any(Number) });
  });

  it('calls again once the TTL has passed', async () => {
    await link(request('calc', 'divide', [1, 4]));
    deps.clock.advance(1000);
    await link(request('calc', 'divide', [1, 4]));
    expect(next.seen).toHaveLength(2);
  });

  it('hands out a copy each time: a caller changing its result changes nobody else’s', async () => {
    const a = (await link(request('calc', 'divide', [1, 4]))).result as { run: number };
    a.run = 99;
    expect(((await link(request('calc', 'divide', [1, 4]))).result as { run: number }).run).toBe(1);
  });

  it('leaves alone methods that declare no cache, unknown flags and notifications', async () => {
    for (let i = 0; i < 2; i++) {
      await link(request('calc', 'subtract', [1, 4]));
      await link(request('nobody', 'knows', [1, 4]));
      await link(request('calc', 'divide', [1, 4], { oneWay: true }));
    }
    expect(next.seen).toHaveLength(6);
  });

  it('never caches an error', async () => {
    next = recorder((r, n) => (n === 1 ? fail(r, 'UNAVAILABLE') : ok(r, n)));
    link = createCache(config, deps)(next);
    await expect(link(request('calc', 'divide', [1, 4]))).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    await expect(link(request('calc', 'divide', [1, 4]))).resolves.toMatchObject({ result: 2 });
  });

  it('keeps apart the results of callers with other roles when the method has access', async () => {
    const as = (roles: string[]) => request('shots', 'list', {}, { caller: { identity: 'x', roles } });
    await link(as(['artist']));
    await link(as(['artist']));
    await link(as(['artist', 'supervisor']));
    expect(next.seen).toHaveLength(2);
  });

  it('makes one call for identical misses at the same time; each waiter gets its own id and copy', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    next = recorder(async (r) => {
      await gate;
      return ok(r, { n: 1 });
    });
    link = createCache(config, deps)(next);
    const replies = Promise.all(['a', 'b', 'c'].map((id) => link({ ...request('calc', 'divide', [1, 4]), id })));
    await new Promise((r) => setImmediate(r));
    release();
    const [a, b, c] = await replies;
    expect(next.seen).toHaveLength(1);
    expect([a.id, b.id, c.id]).toEqual(['a', 'b', 'c']);
    expect(b.result).toEqual(a.result);
    expect(b.result).not.toBe(c.result);
    expect(deps.statuses[1]()).toMatchObject({ misses: 1, shared: 2 });
  });

  it('does not keep a waiter past its own deadline', async () => {
    next = recorder(() => new Promise<CallReply>(() => undefined));
    link = createCache(config, deps)(next);
    void link(request('calc', 'divide', [1, 4]));
    await new Promise((r) => setImmediate(r));
    const waiter = await link(request('calc', 'divide', [1, 4], { deadline: Date.now() + 20 }));
    expect(waiter).toMatchObject({ id: 'req-1', error: { code: 'TIMEOUT' } });
  });

  it('steps aside when its backend cannot answer: the call goes through', async () => {
    const broken: CacheBackend = { get: async () => undefined, set: async () => undefined, available: () => false, close: async () => undefined };
    cacheBackends.add('broken-for-test', () => broken);
    link = createCache({ type: 'cache', backend: { type: 'broken-for-test' } as unknown as typeof config.backend }, deps)(next);
    await link(request('calc', 'divide', [1, 4]));
    await expect(link(request('calc', 'divide', [1, 4]))).resolves.toMatchObject({ result: { run: 2 } });
    expect(deps.statuses[1]()).toMatchObject({ available: false, hits: 0, misses: 2 });
  });

  it('registers its backend to be closed with the chain', async () => {
    expect(deps.closers).toHaveLength(1);
    await deps.closers[0]();
  });
});
