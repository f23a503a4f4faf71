import { type CallReply } from '../envelope';
import { describeService } from '../provider/describe';
import { defineService, method } from '../service';
import { Type } from '@sinclair/typebox';
import { ServiceCatalog } from './catalog';
import { newRequestId } from '../envelope';
import { silentLogger } from '../logging';
import { DESCRIBE_METHOD, Provider } from '../provider/provider';

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
        // A node without the management service: the catalog is what system.describe says.
        if (service === 'management') return { id: 'x', error: { code: 'METHOD_NOT_FOUND', message: 'no service "management"' } };
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

  it('reads itself again for a service it does not know, at most once a second', async () => {
    const c = catalog();
    await expect(c.method('nope', 'x', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
    await expect(c.method('nope', 'x', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
    expect(calls).toBe(1);
    now += 1000;
    await expect(c.method('nope', 'x', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
    expect(calls).toBe(2);
    await c.method('calc', 'subtract', {});
    expect(calls).toBe(2);
  });
});

describe('ServiceCatalog in a cluster whose workers host different services', () => {
  const shots = defineService({
    name: 'shots',
    version: '2.0.0',
    description: 'test',
    methods: { list: method({ description: 'none', safe: true, params: {}, result: Type.Array(Type.String()), handler: () => [] }) },
  });

  it('learns the services other workers host from the heartbeats, each described by a worker hosting it', async () => {
    // Worker A hosts calc and answers system.*; worker B hosts shots; render is listed by a node that is gone.
    const a = new Provider({ log: silentLogger() }).register(calc);
    const b = new Provider({ log: silentLogger() }).register(shots);
    const asked: string[] = [];
    const catalog = new ServiceCatalog({
      invoke: async (service, m, args, meta) => {
        asked.push(`${service}.${m}`);
        const req = { id: newRequestId(), service, method: m, args, meta };
        if (service === 'system') return { id: req.id, result: JSON.parse(JSON.stringify(a.describe())) };
        if (service === 'management') return { id: req.id, result: [{ name: 'a', services: ['calc'] }, { name: 'b', services: ['shots'] }, { name: 'old', services: ['render'] }, { name: 'gw', services: [] }] };
        if (service === 'render') return { id: req.id, error: { code: 'TIMEOUT', message: 'nobody answered' } };
        return (service === 'calc' ? a : b).handle(req);
      },
    });
    const services = await catalog.services({ deadline: Date.now() + 5000 });
    expect(services.map((s) => `${s.name}@${s.version}`)).toEqual(['calc@1.0.0', 'shots@2.0.0']);
    expect((await catalog.method('shots', 'list', {})).safe).toBe(true);
    expect(asked.sort()).toEqual(['management.nodes', 'render.$describe', 'shots.$describe', 'system.describe']);
  });

  it('answers <service>.$describe only for a service the provider hosts', async () => {
    const p = new Provider({ log: silentLogger() }).register(shots);
    const call = (service: string) => p.handle({ id: newRequestId(), service, method: DESCRIBE_METHOD, args: {}, meta: { deadline: Date.now() + 1000 } });
    expect((await call('shots')).result).toMatchObject({ name: 'shots', version: '2.0.0', methods: [{ name: 'list', safe: true }] });
    expect((await call('calc')).error).toMatchObject({ code: 'METHOD_NOT_FOUND' });
  });
});
