import { type CallReply } from '../envelope';
import { createRetry } from './retry';
import { described, fail, linkDeps, ok, recorder, request } from './proxy.test-support';

describe('retry proxy', () => {
  const config = { type: 'retry' as const, attempts: 3, baseMs: 100, maxBackoffMs: 1000 };
  const methods = { 'render.probe': described('probe', { idempotent: true }), 'shots.create': described('create') };
  let deps: ReturnType<typeof linkDeps>;
  beforeEach(() => {
    deps = linkDeps(methods);
  });

  const failingTwice = (code: 'UNAVAILABLE' | 'OVERLOADED' | 'TIMEOUT' = 'UNAVAILABLE') => recorder((r, n) => (n <= 2 ? fail(r, code) : ok(r, `ok on try ${n}`)));

  it('tries an idempotent method again until it succeeds, counting meta.attempt, with an id per try', async () => {
    const next = failingTwice();
    const reply = await createRetry(config, deps)(next)(request('render', 'probe', {}, { deadline: deps.clock.now() + 10_000 }));
    expect(reply).toEqual({ id: 'req-1', result: 'ok on try 3' });
    expect(next.seen.map((r) => r.meta.attempt)).toEqual([1, 2, 3]);
    expect(next.seen.map((r) => r.id)).toEqual(['req-1', 'req-1.2', 'req-1.3']);
  });

  it('backs off exponentially, half of each backoff random', async () => {
    deps.random = () => 1;
    await createRetry(config, deps)(failingTwice('OVERLOADED'))(request('render', 'probe'));
    expect(deps.clock.slept).toEqual([100, 200]);
    deps.clock.slept.splice(0);
    deps.random = () => 0;
    await createRetry(config, deps)(failingTwice('OVERLOADED'))(request('render', 'probe'));
    expect(deps.clock.slept).toEqual([50, 100]);
  });

  it('never tries a method that is not idempotent twice', async () => {
    const next = failingTwice();
    await expect(createRetry(config, deps)(next)(request('shots', 'create'))).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(next.seen).toHaveLength(1);
  });

  it('tries once when the flags are unknown (describe failed)', async () => {
    const next = failingTwice();
    await createRetry(config, deps)(next)(request('nobody', 'knows'));
    expect(next.seen).toHaveLength(1);
  });

  it('does not retry an error that would come again (a handler refusal, bad params)', async () => {
    const next = recorder((r) => fail(r, 'SERVICE_ERROR'));
    await createRetry(config, deps)(next)(request('render', 'probe'));
    expect(next.seen).toHaveLength(1);
  });

  it('gives up with the last error when the backoff would pass the deadline', async () => {
    const next = failingTwice();
    const reply = await createRetry(config, deps)(next)(request('render', 'probe', {}, { deadline: deps.clock.now() + 120 }));
    // 1. the first try fails; 2. the first backoff (75 ms) fits; 3. the second try fails; 4. the next backoff (150 ms) would not.
    expect(next.seen).toHaveLength(2);
    expect(reply).toMatchObject({ id: 'req-1', error: { code: 'UNAVAILABLE' } });
  });

  it("retries the TIMEOUT of one try, within the call's deadline, giving each try attemptTimeoutMs", async () => {
    const next = failingTwice('TIMEOUT');
    const start = deps.clock.now();
    await expect(createRetry({ ...config, attemptTimeoutMs: 1000 }, deps)(next)(request('render', 'probe', {}, { deadline: start + 10_000 }))).resolves.toMatchObject({
      result: 'ok on try 3',
    });
    expect(next.seen[0].meta.deadline).toBe(start + 1000);
    expect(next.seen[2].meta.deadline).toBe(deps.clock.now() + 1000);
  });

  it("does not retry a TIMEOUT once the call's own deadline has passed", async () => {
    const deadline = deps.clock.now() + 1000;
    const next = recorder((r): CallReply => {
      deps.clock.advance(1000);
      return fail(r, 'TIMEOUT');
    });
    await createRetry(config, deps)(next)(request('render', 'probe', {}, { deadline }));
    expect(next.seen).toHaveLength(1);
  });

  it("takes an open circuit's refusal as the answer: the breaker is there to answer at once", async () => {
    const next = recorder((r, n) => (n === 1 ? { id: r.id, error: { code: 'UNAVAILABLE', message: 'circuit open', data: { circuit: 'open', retryAfterMs: 700 } } } : ok(r, 1)));
    await expect(createRetry(config, deps)(next)(request('render', 'probe'))).resolves.toMatchObject({ error: { data: { circuit: 'open' } } });
    expect(next.seen).toHaveLength(1);
  });

  it('leaves notifications alone', async () => {
    const next = failingTwice();
    await createRetry(config, deps)(next)(request('render', 'probe', {}, { oneWay: true }));
    expect(next.seen).toHaveLength(1);
  });
});
