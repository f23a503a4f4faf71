import { type CallReply, type Handler, type Logger, silentLogger } from '@junction/core';
import { type ConformanceHarness } from '../conformance/transport-conformance';
import { createTcpTransport, type TcpTransport } from '../tcp/tcp';
import { createZeromqTransport, type ZeromqTransport } from '../zeromq/zeromq';
import { childWorker, type ChildWorker, type DirectConfig, directConfig, type DirectType, echo, freePort, gate, request, sleep, until } from './direct.test-support';

// The cases every point-to-point transport (tcp, zeromq) passes beyond the conformance suite: what
// happens when the worker is not there, dies, freezes, drains or is full, over real sockets on
// ports the OS gives.

export type DirectTransport = TcpTransport | ZeromqTransport;

const opened: DirectTransport[] = [];
const children: ChildWorker[] = [];

export function makeDirect(type: DirectType, overrides: Partial<DirectConfig>, name: string, log: Logger = silentLogger()): DirectTransport {
  const t = type === 'tcp' ? createTcpTransport(directConfig('tcp', overrides), { name, log }) : createZeromqTransport(directConfig('zeromq', overrides), { name, log });
  opened.push(t);
  return t;
}

/** A worker serving `services` with `handler` on a port of the OS's choosing (or `port`). */
export async function directServer(type: DirectType, services: string[], handler: Handler, overrides: Partial<DirectConfig> = {}, port = 0): Promise<DirectTransport & { port: number }> {
  const t = makeDirect(type, { listen: { host: '127.0.0.1', port }, ...overrides }, `${type}-server`);
  await t.serve(services, handler);
  return Object.assign(t, { port: t.address()!.port });
}

export async function directClient(type: DirectType, port: number, overrides: Partial<DirectConfig> = {}, log?: Logger): Promise<DirectTransport> {
  const t = makeDirect(type, { connect: `127.0.0.1:${port}`, ...overrides }, `${type}-client`, log);
  await t.start();
  return t;
}

export async function startedChild(type: DirectType): Promise<ChildWorker> {
  const child = await childWorker(type);
  children.push(child);
  return child;
}

export async function releaseAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((t) => t.kill()));
  for (const c of children.splice(0)) c.process.kill('SIGKILL');
}

/** The conformance suite's harness: one worker on a port from the OS, one client connected to it. */
export function conformanceHarness(type: DirectType): () => Promise<ConformanceHarness> {
  return async () => {
    const server = makeDirect(type, { listen: { host: '127.0.0.1', port: 0 } }, `${type}-conformance-server`);
    let client: DirectTransport | undefined;
    return {
      serve: async (service: string, handler: Handler) => {
        await server.serve([service], handler);
        if (client === undefined) client = await directClient(type, server.address()!.port);
        return client.call;
      },
      close: async () => {
        await client?.close();
        await server.close();
      },
    };
  };
}

const hang: Handler = () => new Promise<CallReply>(() => undefined);

export function describeDirectScenarios(type: DirectType): void {
  describe(`${type} transport: the worker comes, goes and freezes`, () => {
    afterAll(releaseAll);

    it('starts before its worker, answers UNAVAILABLE at once meanwhile, and connects when the worker comes', async () => {
      const port = await freePort();
      const client = await directClient(type, port);
      expect(client.ready()).toBe(false);
      const t0 = Date.now();
      const reply = await client.call(request('echo', {}, 5000));
      expect(Date.now() - t0).toBeLessThan(200);
      expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: expect.stringContaining(`127.0.0.1:${port}`) });
      await directServer(type, ['echo'], echo, {}, port);
      await until('the client connects', () => client.ready());
      await expect(client.call(request('echo', { late: true }))).resolves.toMatchObject({ result: { late: true } });
    });

    it('answers the calls in flight UNAVAILABLE at once when its worker stops, and reconnects to the next one on that port', async () => {
      const received = gate();
      const server = await directServer(type, ['hang'], (req) => {
        received.open();
        return hang(req);
      });
      const client = await directClient(type, server.port);
      // 3 s, not more: the killed worker's own timer for the hanging handler keeps Jest waiting that long.
      const pending = client.call(request('hang', {}, 3000));
      await received.wait;
      const t0 = Date.now();
      await server.kill();
      const reply = await pending;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: expect.stringContaining('may or may not have run'), data: { reason: 'DISCONNECTED' } });
      await until('the client sees the worker gone', () => !client.ready());
      await directServer(type, ['echo'], echo, {}, server.port);
      await until('the client reconnects', () => client.ready());
      await expect(client.call(request('echo', { again: 1 }))).resolves.toMatchObject({ result: { again: 1 } });
    });

    it('answers the calls in flight UNAVAILABLE at once when its worker process is SIGKILLed', async () => {
      const child = await startedChild(type);
      const client = await directClient(type, child.port);
      await expect(client.call(request('echo', { up: 1 }))).resolves.toMatchObject({ result: { up: 1 } });
      const pending = client.call(request('hang', {}, 10_000));
      await sleep(100); // the request reaches the worker
      const t0 = Date.now();
      child.process.kill('SIGKILL');
      const reply = await pending;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(reply.error?.code).toBe('UNAVAILABLE');
      await until('the client is not ready', () => !client.ready());
    });

    it('drops a frozen worker (SIGSTOP) after three missed heartbeats, long before the deadline', async () => {
      const child = await startedChild(type);
      const client = await directClient(type, child.port, { heartbeatMs: 200 });
      await expect(client.call(request('echo', { up: 1 }))).resolves.toMatchObject({ result: { up: 1 } });
      const pending = client.call(request('hang', {}, 20_000));
      await sleep(100);
      const t0 = Date.now();
      child.process.kill('SIGSTOP');
      const reply = await pending;
      const waited = Date.now() - t0;
      expect(reply.error?.code).toBe('UNAVAILABLE');
      expect(waited).toBeGreaterThanOrEqual(400);
      expect(waited).toBeLessThan(3000);
      // Another connection of the pool may have heard from it a moment later: it goes within a heartbeat.
      await until('every connection to the frozen worker is dropped', () => !client.ready(), 1000);
      child.process.kill('SIGKILL');
    });
  });

  describe(`${type} transport: what a worker refuses`, () => {
    afterAll(releaseAll);

    it('answers UNAVAILABLE for a service the worker does not serve, naming those it does', async () => {
      const server = await directServer(type, ['calc', 'shots'], echo);
      const client = await directClient(type, server.port);
      const reply = await client.call(request('render'));
      expect(reply.error).toEqual({
        code: 'UNAVAILABLE',
        retryable: true,
        message: `${type} transport "${type}-server" does not serve "render" (it serves calc, shots); route "render" to a transport whose worker hosts it`,
        data: { service: 'render', reason: 'NOT_SERVED' },
      });
    });

    it('drains: answers the calls it holds, refuses new ones UNAVAILABLE, then resolves', async () => {
      const release = gate();
      const held: number[] = [];
      const server = await directServer(type, ['s'], async (req) => {
        held.push((req.args as { n: number }).n);
        await release.wait;
        return { id: req.id, result: 'done' };
      });
      const client = await directClient(type, server.port);
      const first = [0, 1, 2].map((n) => client.call(request('s', { n }, 10_000)));
      await until('the worker holds three calls', () => held.length === 3);
      let drained = false;
      const draining = server.drain().then(() => (drained = true));
      const refused = await client.call(request('s', { n: 3 }));
      expect(refused.error).toMatchObject({ code: 'UNAVAILABLE', data: { reason: 'DRAINING' } });
      await sleep(50);
      expect(drained).toBe(false);
      release.open();
      await draining;
      expect((await Promise.all(first)).map((r) => r.result)).toEqual(['done', 'done', 'done']);
      expect(held.sort()).toEqual([0, 1, 2]);
      await server.close();
    });

    it('answers OVERLOADED at once past maxPending calls awaited', async () => {
      const server = await directServer(type, ['hang'], hang);
      const client = await directClient(type, server.port, { maxPending: 2 });
      void client.call(request('hang', {}, 1000));
      void client.call(request('hang', {}, 1000));
      const reply = await client.call(request('hang', {}, 1000));
      expect(reply.error).toMatchObject({ code: 'OVERLOADED', message: `${type} transport "${type}-client" (replies pending) is full (2 waiting); retry later` });
    });

    it("answers OVERLOADED when the worker's own queue is full", async () => {
      const release = gate();
      const server = await directServer(type, ['s'], async (req) => {
        await release.wait;
        return { id: req.id, result: 1 };
      }, { maxInFlight: 1, maxQueue: 0 });
      const client = await directClient(type, server.port);
      const first = client.call(request('s'));
      await until('the worker runs the first', () => server.queues()[0].inFlight === 1);
      await expect(client.call(request('s'))).resolves.toMatchObject({ error: { code: 'OVERLOADED' } });
      release.open();
      await expect(first).resolves.toMatchObject({ result: 1 });
    });

    it('refuses a request above maxFrameBytes without sending it, and goes on', async () => {
      const server = await directServer(type, ['echo'], echo);
      const client = await directClient(type, server.port, { maxFrameBytes: 1024 });
      const reply = await client.call(request('echo', { blob: 'x'.repeat(2000) }));
      expect(reply.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/is \d+ bytes, more than .*maxFrameBytes \(1024\); send less, or raise maxFrameBytes on both sides$/) });
      await expect(client.call(request('echo', { small: 1 }))).resolves.toMatchObject({ result: { small: 1 } });
    });

    it('answers INTERNAL for a reply above its maxFrameBytes, and goes on', async () => {
      const server = await directServer(type, ['s'], async (req) => ({ id: req.id, result: (req.args as { size: number }).size > 0 ? 'y'.repeat(2000) : 'ok' }), { maxFrameBytes: 1024 });
      const client = await directClient(type, server.port);
      const reply = await client.call(request('s', { size: 1 }));
      expect(reply.error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^the reply of s\.m is \d+ bytes, more than .*maxFrameBytes \(1024\)/) });
      await expect(client.call(request('s', { size: 0 }))).resolves.toMatchObject({ result: 'ok' });
    });

    it('carries one-way requests without waiting for a reply', async () => {
      const seen: unknown[] = [];
      const server = await directServer(type, ['s'], async (req) => {
        seen.push(req.args);
        return { id: req.id, result: 'ignored' };
      });
      const client = await directClient(type, server.port);
      const req = request('s', { note: 1 });
      req.meta.oneWay = true;
      await expect(client.call(req)).resolves.toEqual({ id: req.id, result: null });
      await until('the worker got it', () => seen.length === 1);
      expect(seen).toEqual([{ note: 1 }]);
    });

    it('refuses to listen on a port in use, naming the port and the fix', async () => {
      const server = await directServer(type, ['a'], echo);
      const second = makeDirect(type, { listen: { host: '127.0.0.1', port: server.port } }, 'second');
      await expect(second.serve(['a'], echo)).rejects.toThrow(
        `${type} transport "second" cannot listen on 127.0.0.1:${server.port}: `,
      );
      await expect(second.serve(['b'], echo)).rejects.toThrow(/another process \(another worker\?\) has that port: give each worker on a machine its own transports\.second\.listen\.port$/);
    });

    it('needs "connect" or "listen", and without "connect" carries no calls', async () => {
      expect(() => makeDirect(type, {}, 'neither')).toThrow(`${type} transport "neither" has neither "connect" (the worker it calls) nor "listen" (where it serves): set one or both under transports.neither`);
      const inbound = makeDirect(type, { listen: { host: '127.0.0.1', port: 0 } }, 'inbound');
      expect(inbound.ready()).toBe(true); // serves nothing yet: nothing to wait for
      await expect(inbound.call(request('calc'))).resolves.toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringContaining('only serves') } });
      const outbound = makeDirect(type, { connect: '127.0.0.1:1' }, 'outbound');
      await expect(outbound.serve(['calc'], echo)).rejects.toThrow(`${type} transport "outbound" cannot serve calc: it has no "listen" address; set transports.outbound.listen: { host, port }`);
    });

    it('reports its hand-offs as bounded queues', async () => {
      const server = await directServer(type, ['echo'], echo);
      const client = await directClient(type, server.port);
      await Promise.all(Array.from({ length: 10 }, (_, i) => client.call(request('echo', { i }))));
      expect(client.queues()).toEqual([expect.objectContaining({ name: `${type} transport "${type}-client" (calls out)`, accepted: 10, completed: 10, inFlight: 0, maxInFlight: 5000 })]);
      expect(server.queues()).toEqual([expect.objectContaining({ name: `${type} transport "${type}-server" (requests in)`, accepted: 10, completed: 10, inFlight: 0 })]);
    });
  });
}
