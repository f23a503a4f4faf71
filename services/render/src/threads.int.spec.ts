import { setTimeout as sleep } from 'node:timers/promises';
import { defineService, fromWire, method, newRequestId, Provider, Type, type Args } from '@junction/core';
import { service } from './index';

// A frame that keeps a core busy for a second or more here; two of them fill the pool.
const HEAVY_MEGAPIXELS = 25;

const storage = defineService({
  name: 'storage',
  version: '1.0.0',
  description: 'An I/O-bound neighbour, on the event loop.',
  methods: {
    stat: method({
      description: 'Waits 5 ms, as a file server would.',
      params: { i: Type.Integer() },
      result: Type.Integer(),
      handler: async ({ i }) => {
        await sleep(5);
        return i;
      },
    }),
  },
});

describe('render on threads beside an I/O-bound service', () => {
  let provider: Provider;
  beforeAll(() => {
    provider = new Provider();
    provider.register(service, { module: require.resolve('./index'), concurrency: { type: 'threads', maxThreads: 2, minThreads: 2, idleTimeoutMs: 60_000, maxQueue: 10 } });
    provider.register(storage, { concurrency: { type: 'inline', maxInFlight: 200, maxQueue: 1000 } });
  });
  afterAll(() => provider.close());

  const call = async (target: string, args: Args): Promise<unknown> => {
    const [svc, m] = target.split('.');
    const reply = await provider.handle({ id: newRequestId(), service: svc, method: m, args, meta: { deadline: Date.now() + 60_000 } });
    if (reply.error !== undefined) throw fromWire(reply.error);
    return reply.result;
  };

  it('answers 100 quick calls long before the first CPU-bound frame is done', async () => {
    // Warm the threads up (module loading) so the race is between the work, not the start.
    await Promise.all([call('render.thumbnail', { megapixels: 0.01 }), call('render.thumbnail', { megapixels: 0.01 })]);
    const order: string[] = [];
    const frames = [1, 2].map((seed) => call('render.thumbnail', { megapixels: HEAVY_MEGAPIXELS, seed }).then(() => order.push(`frame ${seed}`)));
    await sleep(20);
    const quick = Array.from({ length: 100 }, (_, i) => call('storage.stat', { i }).then(() => order.push('stat')));
    await Promise.all(quick);
    order.push('all stats done');
    await Promise.all(frames);
    expect(order.indexOf('all stats done')).toBe(100);
    expect(order.slice(101).sort()).toEqual(['frame 1', 'frame 2']);
  }, 60_000);
});
