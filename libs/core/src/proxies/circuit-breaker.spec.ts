import { type CallReply } from '../envelope';
import { createCircuitBreaker } from './circuit-breaker';
import { fail, linkDeps, ok, recorder, request } from './proxy.test-support';

describe('circuit-breaker proxy', () => {
  const config = { type: 'circuit-breaker' as const, windowMs: 10_000, minCalls: 4, failureRatio: 0.5, openMs: 5000, halfOpenProbes: 1 };
  let deps: ReturnType<typeof linkDeps>;
  let down: boolean;
  // When set, answers instead of `down`.
  let answer: ((r: ReturnType<typeof request>) => Promise<CallReply>) | undefined;
  let next: ReturnType<typeof recorder>;
  let link: (req: ReturnType<typeof request>) => Promise<CallReply>;
  const call = (service = 'render') => link(request(service, 'probe'));
  const status = () => deps.statuses[0]();

  beforeEach(() => {
    deps = linkDeps({}, 'remote:rabbit');
    down = false;
    answer = undefined;
    next = recorder((r) => answer?.(r) ?? (down ? fail(r, 'UNAVAILABLE', 'no worker is consuming junction.svc.render') : ok(r, 'up')));
    link = createCircuitBreaker(config, deps)(next);
  });

  it('stays closed while failures stay under the ratio, or the window holds too few calls', async () => {
    for (let i = 0; i < 4; i++) await call();
    down = true;
    for (let i = 0; i < 3; i++) await call();
    expect(status()).toEqual({ type: 'circuit-breaker', circuits: [{ key: 'render@remote:rabbit', state: 'closed', calls: 7, failures: 3 }] });
  });

  it('opens on the failure ratio and then answers UNAVAILABLE at once, without calling the target', async () => {
    down = true;
    for (let i = 0; i < 4; i++) await call();
    expect(status().type === 'circuit-breaker' && status()).toMatchObject({ circuits: [{ state: 'open', openedAt: deps.clock.now() }] });
    deps.clock.advance(1000);
    const reply = await call();
    expect(next.seen).toHaveLength(4);
    expect(reply).toEqual({
      id: 'req-1',
      error: {
        code: 'UNAVAILABLE',
        message: 'circuit open for render@remote:rabbit: too many of its recent calls failed (UNAVAILABLE, TIMEOUT or OVERLOADED); a probe goes through in 4000 ms',
        data: { circuit: 'open', key: 'render@remote:rabbit', retryAfterMs: 4000 },
        retryable: true,
      },
    });
  });

  it('half-opens after openMs: one probe goes through; its success closes the circuit', async () => {
    down = true;
    for (let i = 0; i < 4; i++) await call();
    deps.clock.advance(5000);
    // 1. the probe is under way (slow): a second call meanwhile is refused.
    let release!: () => void;
    answer = (r) => new Promise((resolve) => (release = () => resolve(ok(r, 'up'))));
    const probe = call();
    await expect(call()).resolves.toMatchObject({ error: { code: 'UNAVAILABLE', data: { circuit: 'half-open' } } });
    expect(status()).toMatchObject({ circuits: [{ state: 'half-open' }] });
    // 2. the probe succeeds: closed, with a fresh window, and calls go through again.
    release();
    await expect(probe).resolves.toMatchObject({ result: 'up' });
    answer = undefined;
    down = false;
    await expect(call()).resolves.toMatchObject({ result: 'up' });
    expect(status()).toMatchObject({ circuits: [{ state: 'closed', calls: 1, failures: 0 }] });
  });

  it('opens again when the probe fails', async () => {
    down = true;
    for (let i = 0; i < 4; i++) await call();
    deps.clock.advance(5000);
    await expect(call()).resolves.toMatchObject({ error: { message: 'no worker is consuming junction.svc.render' } });
    expect(status()).toMatchObject({ circuits: [{ state: 'open', openedAt: deps.clock.now() }] });
    await expect(call()).resolves.toMatchObject({ error: { data: { circuit: 'open', retryAfterMs: 5000 } } });
  });

  it('forgets failures older than the window', async () => {
    down = true;
    for (let i = 0; i < 3; i++) await call();
    deps.clock.advance(10_000);
    await call();
    expect(status()).toMatchObject({ circuits: [{ state: 'closed', calls: 1, failures: 1 }] });
  });

  it('keeps one circuit per service and target: one service without workers does not cut off the others', async () => {
    down = true;
    for (let i = 0; i < 4; i++) await call('render');
    down = false;
    await expect(call('calc')).resolves.toMatchObject({ result: 'up' });
    expect(status()).toMatchObject({ circuits: [{ key: 'render@remote:rabbit', state: 'open' }, { key: 'calc@remote:rabbit', state: 'closed' }] });
  });

  it("counts a handler's refusal as an answer, not a failure", async () => {
    answer = async (r) => fail(r, 'SERVICE_ERROR');
    for (let i = 0; i < 10; i++) await call();
    expect(status()).toMatchObject({ circuits: [{ state: 'closed', calls: 10, failures: 0 }] });
  });
});
