import { type Handler, silentLogger } from '@junction/core';
import { describeTransportConformance } from '../conformance/transport-conformance';
import { createMemoryTransport } from './memory';

describeTransportConformance('memory', async () => {
  const t = createMemoryTransport({ type: 'memory', maxInFlight: 2000, maxQueue: 2000 }, { name: 'mem', log: silentLogger() });
  await t.start();
  return {
    serve: async (service: string, handler: Handler) => {
      await t.serve([service], handler);
      return t.call;
    },
    close: () => t.close(),
  };
});

describe('memory transport', () => {
  const log = silentLogger();

  it('answers METHOD_NOT_FOUND for a service nobody serves', async () => {
    const t = createMemoryTransport({ type: 'memory', maxInFlight: 1, maxQueue: 1 }, { name: 'mem', log });
    await expect(t.call({ id: '1', service: 'ghost', method: 'm', args: {}, meta: {} })).resolves.toMatchObject({ error: { code: 'METHOD_NOT_FOUND', message: 'no service named "ghost"' } });
  });

  it('serializes the request, so the server never shares the caller\'s objects', async () => {
    const t = createMemoryTransport({ type: 'memory', maxInFlight: 1, maxQueue: 1 }, { name: 'mem', log });
    const args = { when: new Date(0), list: [1] };
    let seen: unknown;
    await t.serve(['s'], async (req) => { seen = req.args; return { id: req.id, result: null }; });
    await t.call({ id: '1', service: 's', method: 'm', args, meta: {} });
    expect(seen).toEqual({ when: '1970-01-01T00:00:00.000Z', list: [1] });
    expect((seen as { list: unknown }).list).not.toBe(args.list);
  });

  it('answers OVERLOADED when its queue is full', async () => {
    const t = createMemoryTransport({ type: 'memory', maxInFlight: 1, maxQueue: 0 }, { name: 'mem', log });
    let release!: () => void;
    await t.serve(['s'], (req) => new Promise((r) => { release = () => r({ id: req.id, result: 1 }); }));
    const first = t.call({ id: '1', service: 's', method: 'm', args: {}, meta: {} });
    await expect(t.call({ id: '2', service: 's', method: 'm', args: {}, meta: {} })).resolves.toMatchObject({ error: { code: 'OVERLOADED' } });
    release();
    await expect(first).resolves.toEqual({ id: '1', result: 1 });
  });

  it('refuses new calls once draining, and drains what it accepted', async () => {
    const t = createMemoryTransport({ type: 'memory', maxInFlight: 4, maxQueue: 4 }, { name: 'mem', log });
    let release!: () => void;
    await t.serve(['s'], (req) => new Promise((r) => { release = () => r({ id: req.id, result: 'done' }); }));
    const inFlight = t.call({ id: '1', service: 's', method: 'm', args: {}, meta: {} });
    await new Promise((r) => setImmediate(r));
    const drained = t.drain();
    await expect(t.call({ id: '2', service: 's', method: 'm', args: {}, meta: {} })).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    release();
    await drained;
    await expect(inFlight).resolves.toEqual({ id: '1', result: 'done' });
  });
});
