import { type CallReply } from '../envelope';
import { describeService } from '../provider/describe';
import { defineService, method } from '../service';
import { Type } from '@sinclair/typebox';
import { ServiceCatalog } from './catalog';

const calc = defineService({
  name: 'calc',
  version: '1.0.0',
  description: 'test',
  methods: {
    subtract: method({ description: 'a - b', safe: true, params: { a: Type.Number(), b: Type.Number() }, result: Type.Number(), handler: ({ a, b }) => a - b }),
    update: method({ description: 'nothing', params: {}, result: Type.Null(), handler: () => null }),
  },
});

describe('ServiceCatalog', () => {
  let now = 0;
  let calls = 0;
  let answer: () => CallReply;
  const catalog = () =>
    new ServiceCatalog({
      invoke: async (service, m, args) => {
        calls++;
        expect([service, m, args]).toEqual(['system', 'describe', {}]);
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
    await c.method('calc', 'update', {});
    expect(calls).toBe(1);
    now = 30_000;
    await c.method('calc', 'update', {});
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

  it('names an unknown service, and an unknown method of a known one', async () => {
    await expect(catalog().method('calc', 'nope', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'service "calc" has no method "nope"' });
    await expect(catalog().method('nope', 'x', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "nope"' });
  });
});
