import { comparable, EXAMPLES, type SpecResponse } from '@junction/gateway/testing/json-rpc-examples';
import { Cluster, inParallel, until } from './cluster.test-support';

// A gateway and two worker processes over the real RabbitMQ, shared by tests that disturb no
// process. Tests that kill or stop processes have clusters of their own (worker-death, drain,
// deadline, and broker-restart, which runs alone).
jest.setTimeout(60_000);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({ workers: 2 });
});
afterAll(() => cluster?.stop());

describe('the JSON-RPC 2.0 specification, section 7, through gateway -> RabbitMQ -> worker processes', () => {
  it.each(EXAMPLES)('$title', async ({ request, response }) => {
    const res = await cluster.post(request);
    if (response === undefined) {
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    const reply = JSON.parse(res.text) as SpecResponse | SpecResponse[];
    expect(comparable(reply)).toEqual(comparable(response));
    for (const r of Array.isArray(reply) ? reply : [reply]) {
      if (r.error === undefined) continue;
      expect(typeof r.error.message).toBe('string');
      expect(typeof r.error.data?.code).toBe('string');
    }
  });
});

describe('two worker processes on one queue', () => {
  it('share 1,000 calls, each serving at least a quarter', async () => {
    const [a, b] = cluster.workers.map((w) => w.pid);
    const calls = Array.from({ length: 1000 }, (_, n) => n);
    const replies = await inParallel(calls, 64, (n) => cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 2, n }));
    expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
    expect(replies.map((r) => r.result!.n)).toEqual(calls);
    const byPid = new Map<number, number>();
    for (const r of replies) byPid.set(r.result!.pid, (byPid.get(r.result!.pid) ?? 0) + 1);
    expect([...byPid.keys()].sort()).toEqual([a, b].sort());
    expect(byPid.get(a)).toBeGreaterThanOrEqual(250);
    expect(byPid.get(b)).toBeGreaterThanOrEqual(250);
  });
});

describe('a poison message on a service queue', () => {
  it('ends in the dead-letter queue, and the worker that took it keeps serving', async () => {
    const queue = `${cluster.queuePrefix}probe`;
    const poison = Buffer.from('{"v":1,"kind":"request", this is not JSON');
    const correlationId = `poison-${Date.now()}`;
    // 1. Someone (a broken client, a hand-typed message) publishes garbage to the probe queue.
    await cluster.withChannel(async (ch) => {
      ch.sendToQueue(queue, poison, { correlationId });
      await ch.waitForConfirms();
    });
    // 2. The worker that takes it moves it, unchanged, to the dead-letter queue.
    const workerLogs = () => `\n${cluster.workers.map((w) => w.output()).join('\n----\n')}`;
    const dead = await cluster.withChannel(async (ch) => {
      let found: { content: Buffer; correlationId: string; headers: Record<string, unknown> } | undefined;
      const arrived = async () => {
        const msg = await ch.get(cluster.deadLetterQueue, { noAck: true });
        if (msg !== false) found = { content: msg.content, correlationId: msg.properties.correlationId, headers: msg.properties.headers ?? {} };
        return found !== undefined;
      };
      await until('the poison reaches the dead-letter queue', arrived, 10_000, workerLogs);
      return found!;
    });
    expect(dead).toEqual({ content: poison, correlationId, headers: expect.objectContaining({ 'x-junction-queue': queue, 'x-junction-reason': expect.stringContaining('JSON') }) });
    // 3. It says so in its log, naming the queue and the message.
    const taker = cluster.workers.find((w) => w.output().includes(correlationId));
    expect(taker).toBeDefined();
    expect(taker!.output()).toContain(`sent to ${cluster.deadLetterQueue}`);
    // 4. Both workers are still the same processes, and both still serve calls.
    const replies = await Promise.all(Array.from({ length: 40 }, (_, n) => cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 50, n })));
    expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
    expect(new Set(replies.map((r) => r.result!.pid))).toEqual(new Set(cluster.workers.map((w) => w.pid)));
    for (const w of cluster.workers) expect(w.exited()).toBeUndefined();
  });
});

describe('a page of a service the gateway does not host', () => {
  it("renders with the service's template, fetched from a worker with system.views", async () => {
    const created = await cluster.rpc('shots.createProject', { code: 'pages', name: 'Pages' });
    expect(created.error).toBeUndefined();
    const res = await fetch(`${cluster.gateway.url}/view/shots/list?project=pages`, { signal: AbortSignal.timeout(20_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<h1>Shots of pages</h1>');
    expect(html).toContain('<option value="omitted">omitted</option>');
  });
});
