import { type CallReply, describeService } from '@junction/core';
import { service as calc } from '@junction/service-calc';
import { ServiceCatalog } from './catalog';

describe('ServiceCatalog', () => {
  let now = 0;
  let calls = 0;
  let answer: () => CallReply;
  const catalog = () =>
    new ServiceCatalog({
      invoke: async (service, method, args) => {
        calls++;
        expect([service, method, args]).toEqual(['system', 'describe', {}]);
        return answer();
      },
      ttlMs: 30_000,
      now: () => now,
    });
  const ok = (): CallReply => ({ id: 'x', result: JSON.parse(JSON.stringify([describeService(calc)])) });

  beforeEach(() => {
    now = 0;
    calls = 0;
    answer = ok;
  });

  it('asks once for ttlMs, sharing one call between concurrent lookups', async () => {
    const c = catalog();
    const [a, b] = await Promise.all([c.method('calc', 'subtract', {}), c.method('calc', 'update', {})]);
    expect([a.safe, b.safe]).toEqual([true, false]);
    now = 29_999;
    await c.method('calc', 'sum', {});
    expect(calls).toBe(1);
    now = 30_000;
    await c.method('calc', 'sum', {});
    expect(calls).toBe(2);
  });

  it('keeps no failed describe', async () => {
    const c = catalog();
    answer = () => ({ id: 'x', error: { code: 'UNAVAILABLE', message: 'no worker' } });
    await expect(c.method('calc', 'subtract', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    answer = ok;
    await expect(c.method('calc', 'subtract', {})).resolves.toMatchObject({ safe: true });
    expect(calls).toBe(2);
  });

  it('names an unknown method of a known service', async () => {
    await expect(catalog().method('calc', 'nope', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'service "calc" has no method "nope"' });
  });
});

describe('ServiceCatalog, unknown service', () => {
  it('names it', async () => {
    const c = new ServiceCatalog({ invoke: async () => ({ id: 'x', result: [] }) });
    await expect(c.method('nope', 'x', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "nope"' });
  });
});
