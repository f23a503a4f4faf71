import { join } from 'node:path';
import { loadConfig } from '@junction/core';
import { type RunningNode, startNode } from './node';

jest.setTimeout(30_000);

const CONFIG = join(__dirname, 'fixtures', 'queues.yaml');
// render's queue in queues.yaml: 8 running, 16 waiting.
const SLOTS = 8;
const BOUND = SLOTS + 16;
// How long each admitted call of the burst takes: far longer than the burst takes to arrive, even
// on a busy machine, so that no slot frees up while the excess is still coming in.
const SLOW_MS = 2500;

interface Outcome {
  status: number;
  at: number;
  retryAfter: string | null;
  code?: string;
}

async function probe(url: string, ms: number, headers: Record<string, string> = {}): Promise<Outcome> {
  const res = await fetch(`${url}/api/render/probe?ms=${ms}`, { headers });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, at: Date.now(), retryAfter: res.headers.get('retry-after'), code: body.error?.code };
}

async function metric(node: RunningNode, name: string): Promise<number> {
  const text = await (await fetch(`${node.healthUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{queue="provider queue of render"}`));
  if (line === undefined) throw new Error(`no ${name} for render's queue in:\n${text}`);
  return Number(line.split(' ').pop());
}

describe('everything is a bounded queue (HTTP -> gateway -> memory transport -> provider -> inline)', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ config: loadConfig(CONFIG), configFile: CONFIG, role: 'all' });
  });
  afterAll(() => node.stop());

  it('answers a burst of ten times the bound: the excess 503 OVERLOADED at once, the admitted all complete', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const renderQueue = () => node.provider!.queues().find((q) => q.name === 'provider queue of render')!;
    // The first BOUND calls of the burst fill the line...
    const first = Array.from({ length: BOUND }, () => probe(node.url!, SLOW_MS));
    const deadline = Date.now() + 5_000;
    while (renderQueue().inFlight + renderQueue().waiting < BOUND && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    // ...and the other nine times as many find it full.
    const rest = Array.from({ length: BOUND * 9 }, () => probe(node.url!, SLOW_MS));
    const outcomes = await Promise.all([...first, ...rest]);
    const admitted = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status !== 200);
    expect(admitted).toHaveLength(BOUND);
    expect(refused).toHaveLength(BOUND * 9);
    for (const r of refused) expect(r).toMatchObject({ status: 503, code: 'OVERLOADED', retryAfter: '1' });
    // Refused before the first admitted call finished: nobody waited in line to be told no.
    expect(Math.max(...refused.map((o) => o.at))).toBeLessThanOrEqual(Math.min(...admitted.map((o) => o.at)));
    expect(await metric(node, 'junction_queue_rejected_total')).toBe(BOUND * 9);
    // Bounded: what was refused was not kept (a generous margin for the HTTP machinery's own garbage).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    // And the service is itself again.
    await expect(probe(node.url!, 1)).resolves.toMatchObject({ status: 200 });
    expect(await metric(node, 'junction_queue_waiting')).toBe(0);
    expect(await metric(node, 'junction_queue_in_flight')).toBe(0);
  });

  it("shows every hand-off of the node as a queue on the gateway's /metrics and in system.health", async () => {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    const queues = [...new Set([...text.matchAll(/^junction_queue_in_flight\{queue="(.+)"\} \d+$/gm)].map((m) => m[1]))];
    // render, then the platform's own services (system, logging, management, ...), each with its queue.
    const provided = node.provider!.services().map((s) => `provider queue of ${s}`);
    expect(provided).toEqual(expect.arrayContaining(['provider queue of render', 'provider queue of system']));
    expect(queues).toEqual(['gateway \\"HTTP in\\" queue', 'memory transport \\"mem\\"', ...provided]);
    const health = (await (await fetch(`${node.url}/api/system/health`)).json()) as { queues: { name: string }[] };
    expect(health.queues.map((q) => q.name)).toEqual(['memory transport "mem"', ...provided]);
  });

  it('drops a call whose deadline passes while it waits, without running it, and counts it', async () => {
    const expiredBefore = await metric(node, 'junction_queue_expired_total');
    const completedBefore = await metric(node, 'junction_queue_accepted_total');
    // Slow calls fill the slots; one more waits and its 100 ms deadline passes in line.
    const slow = Array.from({ length: SLOTS }, () => probe(node.url!, 600));
    const renderQueue = () => node.provider!.queues().find((q) => q.name === 'provider queue of render')!;
    const deadline = Date.now() + 5_000;
    while (renderQueue().inFlight < SLOTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const late = await probe(node.url!, 1, { 'x-junction-timeout-ms': '100' });
    expect(late).toMatchObject({ status: 504, code: 'TIMEOUT' });
    await Promise.all(slow);
    await expect(probe(node.url!, 1)).resolves.toMatchObject({ status: 200 });
    expect(await metric(node, 'junction_queue_expired_total')).toBe(expiredBefore + 1);
    // Accepted (it was admitted to the line) but never run: the slow ones, the late one and the last.
    expect(await metric(node, 'junction_queue_accepted_total')).toBe(completedBefore + SLOTS + 2);
  });
});
