import { type CallRequest, type Handler, silentLogger } from '@junction/core';
import { createAmqpTransport } from './amqp';
import { describeTransportConformance } from '../conformance/transport-conformance';
import { CONFIG, opened, capturingLogger, cleanUp, consumerCount, deadLetterQueue, echo, gate, newService, request, started, sleep, until, withChannel, created } from './amqp.test-support';

// Integration tests against the real broker (JUNCTION_AMQP_URL); see amqp.test-support.ts for how
// each run keeps its queues to itself. The broker-restart test is in broker-restart.serial.spec.ts:
// it stops the shared broker, so it runs alone after the parallel suites.
jest.setTimeout(15_000);

afterAll(cleanUp);

describeTransportConformance('amqp', async () => {
  const server = await started('conformance-server');
  const client = await started('conformance-client');
  return {
    serve: async (service: string, handler: Handler) => {
      created.add(CONFIG.queuePrefix + service);
      await server.serve([service], handler);
      return client.call;
    },
    close: async () => {
      await client.close();
      await server.close();
    },
  };
});

describe('amqp transport: no worker', () => {
  it('answers UNAVAILABLE at once for a service whose queue does not exist', async () => {
    const client = await started('client');
    const service = newService();
    const t0 = Date.now();
    const reply = await client.call(request(service));
    expect(Date.now() - t0).toBeLessThan(500);
    const queue = CONFIG.queuePrefix + service;
    expect(reply.error).toEqual({ code: 'UNAVAILABLE', retryable: true, message: `no worker serves service "${service}" (queue ${queue} does not exist)`, data: { service, queue, reason: 'NO_QUEUE' } });
  });

  it("answers UNAVAILABLE through the broker's return when the queue vanished within the cache period", async () => {
    const server = await started('server');
    const client = await started('client', {}, { options: { consumerCheckTtlMs: 60_000 } });
    const service = newService();
    await server.serve([service], echo);
    expect((await client.call(request(service, { n: 1 }))).result).toEqual({ n: 1 });
    await server.close();
    await withChannel((ch) => ch.deleteQueue(CONFIG.queuePrefix + service));
    const t0 = Date.now();
    const reply = await client.call(request(service));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', data: { service, reason: 'NO_QUEUE' } });
    expect(client.stats().client.returned).toBe(1);
  });

  it('answers UNAVAILABLE at once when the queue exists but its workers are gone', async () => {
    const server = await started('server');
    const client = await started('client');
    const service = newService();
    const queue = CONFIG.queuePrefix + service;
    await server.serve([service], echo);
    expect((await client.call(request(service, { n: 1 }))).result).toEqual({ n: 1 });
    await server.close();
    await sleep(1100); // the client trusts its last "there is a consumer" for about a second
    const t0 = Date.now();
    const reply = await client.call(request(service, {}, 5000));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(reply.error).toEqual({ code: 'UNAVAILABLE', retryable: true, message: `no worker is consuming ${queue}`, data: { service, queue, reason: 'NO_CONSUMER' } });
  });

  it('asks the broker about a service at most once a second, however many calls it sends', async () => {
    const server = await started('server');
    const client = await started('client');
    const service = newService();
    await server.serve([service], echo);
    const t0 = Date.now();
    const before = client.stats().client.consumerChecks;
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 100 }, (_, i) => client.call(request(service, { i }))));
    const checks = client.stats().client.consumerChecks - before;
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 1000) + 1);
  });
});

describe('amqp transport: the worker side', () => {
  it('does not run a request whose deadline passed while it waited in the queue', async () => {
    const dead = deadLetterQueue('expired');
    const server = await started('server', { prefetch: 1, deadLetterQueue: dead });
    const client = await started('client');
    const service = newService();
    const release = gate();
    const ran: unknown[] = [];
    await server.serve([service], async (req) => {
      ran.push(req.args);
      if ((req.args as { block?: boolean }).block) await release.wait;
      return { id: req.id, result: 'done' };
    });
    // 1. The only prefetch slot is taken by a blocked request.
    const blocker = client.call(request(service, { block: true }, 10_000));
    await until('the worker holds the blocker', () => ran.length === 1);
    // 2. Five requests with a short deadline queue up behind it and time out at the caller.
    const expiring = await Promise.all(Array.from({ length: 5 }, (_, i) => client.call(request(service, { i }, 300))));
    expect(expiring.map((r) => r.error?.code)).toEqual(Array(5).fill('TIMEOUT'));
    await sleep(200);
    // 3. The worker is freed after their deadline: it never sees them.
    release.open();
    await expect(blocker).resolves.toMatchObject({ result: 'done' });
    await expect(client.call(request(service, { after: true }))).resolves.toMatchObject({ result: 'done' });
    expect(ran).toEqual([{ block: true }, { after: true }]);
    expect(server.stats().server.expired).toBe(0); // dropped by the broker, not by the worker's own check
    // 4. The broker dropped them: nothing of theirs reaches the dead-letter queue, kept for poison.
    const leftover = await withChannel((ch) => ch.checkQueue(dead));
    expect(leftover.messageCount).toBe(0);
  });

  it("holds no more requests than the service's capacity: the rest wait on the broker for other workers", async () => {
    const busy = await started('busy-worker', { prefetch: 100 });
    const idle = await started('idle-worker', { prefetch: 100 });
    const client = await started('client');
    const service = newService();
    const release = gate();
    const held: unknown[] = [];
    await busy.serve(
      [service],
      async (req) => {
        held.push(req.args);
        await release.wait;
        return { id: req.id, result: 'busy' };
      },
      { capacity: () => 2 },
    );
    const calls = Array.from({ length: 10 }, (_, i) => client.call(request(service, { i }, 10_000)));
    await until('the busy worker holds its two', () => held.length === 2);
    await sleep(200);
    // Prefetch 100, capacity 2: the other eight stay on the broker...
    expect(held).toHaveLength(2);
    expect((await withChannel((ch) => ch.checkQueue(CONFIG.queuePrefix + service))).messageCount).toBe(8);
    // ...where a worker that comes along takes them.
    await idle.serve([service], async (req) => ({ id: req.id, result: 'idle' }));
    await until('the idle worker drained the queue', async () => (await withChannel((ch) => ch.checkQueue(CONFIG.queuePrefix + service))).messageCount === 0);
    release.open();
    const results = (await Promise.all(calls)).map((r) => r.result);
    expect(results.filter((r) => r === 'busy')).toHaveLength(2);
    expect(results.filter((r) => r === 'idle')).toHaveLength(8);
  });

  it('dead-letters undecodable requests with a log line and keeps serving', async () => {
    const dead = deadLetterQueue('poison');
    const { log, lines } = capturingLogger();
    const server = await started('poison-server', { deadLetterQueue: dead }, { log });
    const client = await started('client');
    const service = newService();
    const queue = CONFIG.queuePrefix + service;
    await server.serve([service], echo);
    const garbage = Buffer.from('{"v":1,"kind":"request", not json');
    const future = Buffer.from(JSON.stringify({ v: 99, kind: 'request', id: 'p2', service, method: 'm', args: {}, meta: {} }));
    await withChannel(async (ch) => {
      ch.sendToQueue(queue, garbage, { correlationId: 'poison-1' });
      ch.sendToQueue(queue, future, { correlationId: 'poison-2' });
      await (ch as unknown as { waitForConfirms(): Promise<void> }).waitForConfirms();
    }, true);
    await expect(client.call(request(service, { good: true }))).resolves.toMatchObject({ result: { good: true } });

    const deadLettered = await withChannel(async (ch) => {
      const found: { correlationId: string; content: Buffer }[] = [];
      await until('both reach the dead-letter queue', async () => {
        const msg = await ch.get(dead, { noAck: true });
        if (msg) found.push({ correlationId: msg.properties.correlationId, content: msg.content });
        return found.length === 2;
      });
      return found;
    });
    expect(deadLettered).toEqual([
      { correlationId: 'poison-1', content: garbage },
      { correlationId: 'poison-2', content: future },
    ]);
    const logged = lines.filter((l) => l.deadLetterQueue === dead);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ level: 50, queue, correlationId: 'poison-1', reason: expect.stringContaining('not valid JSON') });
    expect(logged[1]).toMatchObject({ level: 50, queue, correlationId: 'poison-2', reason: expect.stringContaining('unknown envelope version 99') });
    expect(server.stats().server.deadLettered).toBe(2);
  });

  it('gives a request to another worker, flagged redelivered, when its worker dies holding it', async () => {
    const dying = await started('dying-worker');
    const second = await started('second-worker');
    const client = await started('client');
    const service = newService();
    const release = gate();
    const seen: CallRequest[] = [];
    await dying.serve([service], async (req) => {
      seen.push(req);
      await release.wait;
      return { id: req.id, result: { by: 'dying' } };
    });
    const req = request(service, { n: 1 }, 10_000);
    const reply = client.call(req);
    await until('the first worker holds the request', () => seen.length === 1);
    expect(seen[0].meta.redelivered).toBeUndefined();
    await second.serve([service], async (r) => ({ id: r.id, result: { by: 'second', redelivered: r.meta.redelivered } }));
    // The first worker's connection goes away with the request unacked.
    await dying.kill();
    await expect(reply).resolves.toEqual({ id: req.id, result: { by: 'second', redelivered: true } });
    expect(second.stats().server.redelivered).toBe(1);
    release.open();
  });

  it('drains: requests in flight finish and are acked, new ones go to another worker', async () => {
    const draining = await started('draining-worker');
    const other = await started('other-worker');
    // The client must not refuse calls while the queue has no consumer for a moment.
    const client = await started('client', {}, { options: { consumerCheckTtlMs: 60_000 } });
    const service = newService();
    const queue = CONFIG.queuePrefix + service;
    const release = gate();
    const byDraining: number[] = [];
    const byOther: { n: number; redelivered?: boolean }[] = [];
    await draining.serve([service], async (req) => {
      byDraining.push((req.args as { n: number }).n);
      await release.wait;
      return { id: req.id, result: 'draining' };
    });
    const first = [0, 1, 2].map((n) => client.call(request(service, { n }, 10_000)));
    await until('three requests are in flight', () => byDraining.length === 3);
    // 1. Drain starts: the consumer is cancelled at once, the handlers are still running.
    let drained = false;
    const draining$ = draining.drain().then(() => (drained = true));
    await until('the queue has no consumer', async () => (await consumerCount(queue)) === 0);
    // 2. New requests wait in the queue: the draining worker does not take them.
    const later = [3, 4, 5].map((n) => client.call(request(service, { n }, 10_000)));
    await sleep(100);
    expect(byDraining).toEqual([0, 1, 2]);
    expect(drained).toBe(false);
    // 3. The handlers finish: drain resolves once their replies are out and acked.
    release.open();
    await draining$;
    expect(await Promise.all(first)).toEqual(first.map(() => expect.objectContaining({ result: 'draining' })));
    // 4. Another worker takes what was queued; closing the drained one gives it nothing back (all acked).
    await other.serve([service], async (req) => {
      byOther.push({ n: (req.args as { n: number }).n, redelivered: req.meta.redelivered });
      return { id: req.id, result: 'other' };
    });
    expect(await Promise.all(later)).toEqual(later.map(() => expect.objectContaining({ result: 'other' })));
    await draining.close();
    await sleep(200);
    expect(byOther).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('serves services named before it connected, once it connects', async () => {
    const server = createAmqpTransport(CONFIG, { name: 'early-server', log: silentLogger() });
    opened.push(server);
    const service = newService();
    await server.serve([service], echo);
    expect(server.ready()).toBe(false);
    await server.start();
    const client = await started('client');
    await expect(client.call(request(service, { early: true }))).resolves.toMatchObject({ result: { early: true } });
  });

  it('refuses clearly to serve a queue declared with other arguments, and keeps serving the rest', async () => {
    const server = await started('server');
    const client = await started('client');
    const [clash, fine] = [newService(), newService()];
    await withChannel((ch) => ch.assertQueue(CONFIG.queuePrefix + clash, { durable: false }));
    await expect(server.serve([clash], echo)).rejects.toThrow(/cannot serve .*PRECONDITION_FAILED/);
    await server.serve([fine], echo);
    await expect(client.call(request(fine, { ok: 1 }))).resolves.toMatchObject({ result: { ok: 1 } });
    await until('the transport is ready again', () => server.ready());
  });
});

