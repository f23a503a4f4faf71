import { type CallReply, type CallRequest } from '../envelope';
import { type Logger, silentLogger } from '../logging';
import { createMethodLookup } from './methods';
import { described, FakeClock, request } from './proxy.test-support';

describe('method lookup (flags from system.describe, through the terminal)', () => {
  let clock: FakeClock;
  let asked: CallRequest[];
  let answer: (req: CallRequest) => CallReply;
  let warnings: string[];
  const services = [{ name: 'calc', version: '1.0.0', description: '', methods: [described('divide', { cache: { ttlMs: 100 } })] }];
  const lookup = () => {
    const log = { ...silentLogger(), warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => undefined } as unknown as Logger;
    return createMethodLookup({
      terminal: async (req) => {
        asked.push(req);
        return answer(req);
      },
      clock,
      log,
    });
  };

  beforeEach(() => {
    clock = new FakeClock();
    asked = [];
    warnings = [];
    answer = (req) => ({ id: req.id, result: services });
  });

  it("finds a method's flags, asking system.describe once, with a deadline of its own and no caller", async () => {
    const methods = lookup();
    await expect(Promise.resolve(methods(request('calc', 'divide', {}, { caller: { identity: 'ann', roles: [] }, traceparent: 't' })))).resolves.toMatchObject({ cache: { ttlMs: 100 } });
    await methods(request('calc', 'divide'));
    expect(asked).toEqual([
      { id: expect.any(String), service: 'system', method: 'describe', args: {}, meta: { traceparent: 't', deadline: clock.now() + 2000, attempt: 1 } },
      // The services other workers host (catalog.ts): an untraced, anonymous probe.
      { id: expect.any(String), service: 'management', method: 'nodes', args: {}, meta: { deadline: clock.now() + 2000, attempt: 1 } },
    ]);
  });

  it('answers at once, without a promise, while the last describe is fresh', async () => {
    const methods = lookup();
    expect(methods(request('calc', 'divide'))).toBeInstanceOf(Promise);
    await methods(request('calc', 'divide'));
    expect(methods(request('calc', 'divide'))).toMatchObject({ name: 'divide', cache: { ttlMs: 100 } });
    expect(methods(request('calc', 'nope'))).toBeUndefined();
    clock.advance(30_000);
    expect(methods(request('calc', 'divide'))).toBeInstanceOf(Promise);
  });

  it('answers undefined for a method describe does not list, and for system itself without asking', async () => {
    const methods = lookup();
    await expect(Promise.resolve(methods(request('calc', 'nope')))).resolves.toBeUndefined();
    await expect(Promise.resolve(methods(request('system', 'describe')))).resolves.toBeUndefined();
    expect(asked.filter((r) => r.service === 'system')).toHaveLength(1);
  });

  it('reads the catalog again, at most once a second, for a service it did not know: one on a worker started since', async () => {
    const methods = lookup();
    await expect(Promise.resolve(methods(request('shots', 'list')))).resolves.toBeUndefined();
    const reads = () => asked.filter((r) => r.service === 'system').length;
    expect(reads()).toBe(1);
    // The shots worker starts; within the second, the catalog is not read again.
    answer = (req) => ({ id: req.id, result: req.service === 'system' ? [...services, { name: 'shots', version: '1.0.0', description: '', methods: [described('list', { safe: true })] }] : [] });
    await expect(Promise.resolve(methods(request('shots', 'list')))).resolves.toBeUndefined();
    expect(reads()).toBe(1);
    clock.advance(1000);
    await expect(Promise.resolve(methods(request('shots', 'list')))).resolves.toMatchObject({ name: 'list', safe: true });
    expect(reads()).toBe(2);
    // A known service's unknown method is no reason to read again.
    clock.advance(1000);
    await expect(Promise.resolve(methods(request('calc', 'nope')))).resolves.toBeUndefined();
    expect(reads()).toBe(2);
  });

  it('answers undefined while describe fails, asks again at most once a second, and warns once per outage', async () => {
    answer = (req) => ({ id: req.id, error: { code: 'UNAVAILABLE', message: 'no worker is consuming junction.svc.system' } });
    const methods = lookup();
    await expect(Promise.resolve(methods(request('calc', 'divide')))).resolves.toBeUndefined();
    await methods(request('calc', 'divide'));
    expect(asked).toHaveLength(1);
    clock.advance(1000);
    await methods(request('calc', 'divide'));
    expect(asked).toHaveLength(2);
    expect(warnings).toEqual([
      'cannot learn method flags: system.describe failed (no worker is consuming junction.svc.system); cache, retry and access step aside for every call until it answers (asked again every 1000 ms)',
    ]);
    answer = (req) => ({ id: req.id, result: services });
    clock.advance(1000);
    await expect(Promise.resolve(methods(request('calc', 'divide')))).resolves.toMatchObject({ name: 'divide' });
  });
});
