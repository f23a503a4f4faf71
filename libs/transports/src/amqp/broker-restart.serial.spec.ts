import { type CallReply } from '@junction/core';
import { cleanUp, echo, gate, newService, rabbitmqctl, request, sleep, started, until } from './amqp.test-support';

// Stops the shared broker: it runs alone (`npm test` runs *.serial.spec.ts after the parallel suites).
jest.setTimeout(60_000);

afterAll(cleanUp);

describe('amqp transport: broker restart', () => {
  it('fails calls fast while the broker is down and recovers by itself when it is back', async () => {
    const server = await started('restart-server');
    const client = await started('restart-client');
    const [service, stuck] = [newService(), newService()];
    const release = gate();
    await server.serve([service], echo);
    await server.serve([stuck], async (req) => {
      await release.wait;
      return { id: req.id, result: 'too late' };
    });
    expect((await client.call(request(service, { n: 0 }))).result).toEqual({ n: 0 });
    // A call in flight when the connection drops: its reply could never arrive on a new channel.
    const pending = client.call(request(stuck, {}, 20_000)).then((reply) => ({ reply, at: Date.now() }));

    const results: { ms: number; code: string; at: number }[] = [];
    let stop = false;
    const caller = (async () => {
      for (let n = 1; !stop; n++) {
        const t0 = Date.now();
        const reply: CallReply = await client.call(request(service, { n }, 5000));
        results.push({ ms: Date.now() - t0, code: reply.error?.code ?? 'OK', at: t0 });
        await sleep(50);
      }
    })();
    try {
      await sleep(200);
      // 1. The broker goes away: every call fails fast, none waits for its 5 s deadline.
      const stopping = Date.now();
      await rabbitmqctl('stop_app');
      const { reply, at } = await pending;
      expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', data: { service: stuck, reason: 'DISCONNECTED' } });
      expect(at - stopping).toBeLessThan(5000); // when the broker closes the connection, long before its 20 s deadline
      await sleep(1000);
      expect(client.ready()).toBe(false);
      expect(server.ready()).toBe(false);
      const down = results.filter((r) => r.code !== 'OK');
      expect(down.length).toBeGreaterThan(5);
      expect(down.every((r) => r.code === 'UNAVAILABLE')).toBe(true);
      // 2. It comes back: the same transports reconnect, re-consume and carry calls again.
      await rabbitmqctl('start_app');
      const back = Date.now();
      await until('calls succeed again', () => results.some((r) => r.code === 'OK' && r.at > back), 10_000);
      await until('both transports are ready', () => client.ready() && server.ready(), 10_000);
    } finally {
      stop = true;
      release.open();
      await caller;
      await rabbitmqctl('start_app').catch(() => undefined);
    }
    expect(results.filter((r) => r.ms >= 1000)).toEqual([]);
  }, 60_000);
});
