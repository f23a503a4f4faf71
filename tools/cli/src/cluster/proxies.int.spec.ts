import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type JunctionConfig, type ProxyConfigEntry, type TerminalProxyConfig } from '@junction/core';
import { Cluster, type RpcOutcome, until } from './cluster.test-support';

// The chain — timeout, retry, circuit-breaker, cache, route — in a real gateway process,
// in front of a real worker process, over each remote transport. One worker, so that the
// fixture's per-process counters count every execution; the breaker's test stops it and starts
// another, so it comes last.
jest.setTimeout(90_000);

const FIXTURE = join(__dirname, 'fixtures', 'proxied-service.ts');

/** A remote transport the chain can be tested over: how the run's config reaches it. */
interface RemoteTransportCase {
  name: string;
  /** Sets up the run's config for this transport (transports, worker.serve) and returns the route target to it. */
  configure(config: JunctionConfig, run: string): TerminalProxyConfig;
}

// The worker's port for each point-to-point transport, taken from the OS before the clusters start.
const ports: Record<string, number> = {};
beforeAll(async () => {
  for (const name of ['tcp', 'zeromq']) ports[name] = await freePort();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A point-to-point transport: the gateway connects to the one worker's port, the worker serves on it. */
function pointToPoint(type: 'tcp' | 'zeromq'): RemoteTransportCase {
  return {
    name: type,
    configure: (config) => {
      const common = { maxPending: 10_000, maxInFlight: 1024, maxQueue: 10_000, maxFrameBytes: 16_777_216, reconnectInitialMs: 50, reconnectMaxMs: 500, heartbeatMs: 500 };
      const extra = type === 'tcp' ? { poolSize: 2, connectTimeoutMs: 2000 } : {};
      config.transports['p2p-out'] = { type, connect: `127.0.0.1:${ports[type]}`, ...common, ...extra } as JunctionConfig['transports'][string];
      config.transports['p2p-in'] = { type, listen: { host: '127.0.0.1', port: ports[type] }, ...common, ...extra } as JunctionConfig['transports'][string];
      config.worker!.serve = [...config.worker!.serve, 'p2p-in'];
      return { type: 'remote', transport: 'p2p-out' };
    },
  };
}

// One entry per remote transport.
const TRANSPORTS: RemoteTransportCase[] = [{ name: 'amqp', configure: () => ({ type: 'remote', transport: 'rabbit' }) }, pointToPoint('tcp'), pointToPoint('zeromq')];

const chain = (target: TerminalProxyConfig, run: string): ProxyConfigEntry[] => [
  { type: 'timeout', defaultMs: 10_000 },
  { type: 'retry', attempts: 3, baseMs: 20, maxBackoffMs: 200 },
  { type: 'circuit-breaker', windowMs: 10_000, minCalls: 4, failureRatio: 0.5, openMs: 1500, halfOpenProbes: 1 },
  { type: 'cache', backend: { type: 'redis', url: process.env.JUNCTION_REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: `${run}:cache:`, timeoutMs: 250 } },
  { type: 'route', routes: { '*': target } },
];

describe.each(TRANSPORTS)('a gateway with the chain timeout, retry, circuit-breaker, cache, route, over $name', (transport) => {
  let cluster: Cluster;
  const token = randomBytes(3).toString('hex');
  const executions = async (method: string, key: string) => (await cluster.rpc<number>('proxied.executions', { method, key })).result;

  beforeAll(async () => {
    cluster = await Cluster.start({
      workers: 1,
      configure: (config, run) => {
        config.chain = chain(transport.configure(config, run), run);
        config.services.proxied = { package: FIXTURE, settings: {} };
      },
    });
  });
  afterAll(() => cluster?.stop());

  it('executes a cached method once for repeated identical calls, by name or by position', async () => {
    const key = `cached-${token}`;
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await cluster.rpc('proxied.cached', { key }));
    replies.push(await cluster.rpc('proxied.cached', [key]));
    expect(replies.map((r) => r.error)).toEqual(replies.map(() => undefined));
    expect(new Set(replies.map((r) => JSON.stringify(r.result))).size).toBe(1);
    expect(await executions('cached', key)).toBe(1);
    await cluster.rpc('proxied.cached', { key: `${key}-other` });
    expect(await executions('cached', `${key}-other`)).toBe(1);
  });

  it('retries an idempotent method that fails twice to success, counting each attempt', async () => {
    const key = `flaky-${token}`;
    const reply = await cluster.rpc<{ key: string; run: number }>('proxied.flaky', { key });
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual({ key, run: 3 });
    expect(await executions('flaky', key)).toBe(3);
  });

  it('does not retry a method that is not idempotent: its first failure is the answer', async () => {
    const key = `effect-${token}`;
    const reply = await cluster.rpc('proxied.flakyEffect', { key });
    expect(reply.error).toMatchObject({ code: -32005, message: `proxied.flakyEffect fails run 1 of "${key}" on purpose`, data: { code: 'UNAVAILABLE' } });
    expect(await executions('flakyEffect', key)).toBe(1);
  });

  it("reports the state of a node's proxies in system.health", async () => {
    // Answered by the worker, about its own chain (the one its handlers' ctx.call go through).
    const health = await cluster.rpc<{ proxies: { type: string }[] }>('system.health', {});
    expect(health.result?.proxies).toEqual([
      { type: 'cache', backend: 'redis', available: true, hits: expect.any(Number), misses: expect.any(Number), shared: expect.any(Number) },
      { type: 'circuit-breaker', circuits: [] },
    ]);
  });

  it('opens the circuit of a dead target, answering UNAVAILABLE at once, and closes it when the target is back', async () => {
    // 1. The only worker stops: calls to it fail, until the breaker opens.
    const [worker] = cluster.workers;
    worker.kill('SIGTERM');
    await worker.exit;
    const failed: RpcOutcome[] = [];
    let open: RpcOutcome | undefined;
    await until('the circuit opens', async () => {
      const reply = await cluster.rpc('proxied.ping', {}, 1000);
      if ((reply.error?.data?.details as { circuit?: string } | undefined)?.circuit === 'open') open = reply;
      else failed.push(reply);
      return open !== undefined;
    }, 30_000);
    expect(failed.filter((r) => r.error === undefined)).toEqual([]);
    expect(open!.error).toMatchObject({ code: -32005, message: expect.stringMatching(/^circuit open for proxied@remote:[\w-]+: /), data: { code: 'UNAVAILABLE' } });
    // 2. While open it answers at once, without a try of the transport.
    const fast = await cluster.rpc('proxied.ping', {}, 1000);
    expect(fast.error?.data?.details).toMatchObject({ circuit: 'open' });
    expect(fast.ms).toBeLessThan(200);
    // 3. A worker is back: after openMs a probe goes through, succeeds, and the circuit closes.
    const back = await cluster.startWorker();
    let answered: RpcOutcome<number> | undefined;
    await until('calls succeed again', async () => {
      const reply = await cluster.rpc<number>('proxied.ping', {}, 1000);
      if (reply.error === undefined) answered = reply;
      return answered !== undefined;
    }, 15_000);
    expect(answered!.result).toBe(back.pid);
    const after = await Promise.all(Array.from({ length: 5 }, () => cluster.rpc<number>('proxied.ping', {})));
    expect(after.map((r) => r.result)).toEqual(after.map(() => back.pid));
  });
});
