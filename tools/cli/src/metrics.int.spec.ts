import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '@junction/core';
import { type RunningNode, startNode } from './node';
import { type Family, parseMetrics, sample } from '@junction/core/metrics/prometheus-text.test-support';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

async function rpc(url: string, method: string, params: unknown) {
  const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }) });
  return (await res.json()) as { result?: unknown; error?: { data?: { code?: string } } };
}

async function scrape(url: string): Promise<Family[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

const calls = (f: Family[], name: string, method: string, outcome: string) => sample(f, name, { service: 'calc', method, outcome });

describe('/metrics of the embedded node, parsed as Prometheus text', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ config: loadConfig(fixture('metrics.yaml')), configFile: fixture('metrics.yaml'), role: 'all' });
  });
  afterAll(() => node.stop());

  it('moves the call counters by exactly the calls made, errors by their outcome, on the gateway and the worker port', async () => {
    const before = await scrape(node.url!);
    // 1. Five good calls over JSON-RPC and one over plain JSON, two with wrong params, one to a method that does not exist.
    for (let i = 0; i < 5; i++) expect((await rpc(node.url!, 'calc.subtract', [42, i])).result).toBe(42 - i);
    expect(await (await fetch(`${node.url}/api/calc/subtract`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"minuend":1,"subtrahend":1}' })).json()).toBe(0);
    for (let i = 0; i < 2; i++) expect((await rpc(node.url!, 'calc.subtract', { minuend: 'x', subtrahend: 1 })).error?.data?.code).toBe('INVALID_PARAMS');
    expect((await rpc(node.url!, 'calc.nope', {})).error?.data?.code).toBe('METHOD_NOT_FOUND');
    // 2. Observers run after each reply has gone: one turn of the event loop later.
    await new Promise((resolve) => setImmediate(resolve));
    const after = await scrape(node.url!);
    const moved = (name: string, method: string, outcome: string) => calls(after, name, method, outcome) - calls(before, name, method, outcome);

    expect(moved('junction_gateway_calls_total', 'subtract', 'ok')).toBe(6);
    expect(moved('junction_gateway_calls_total', 'subtract', 'INVALID_PARAMS')).toBe(2);
    expect(sample(after, 'junction_gateway_calls_total', { service: '(unknown)', outcome: 'METHOD_NOT_FOUND' }) - sample(before, 'junction_gateway_calls_total', { service: '(unknown)', outcome: 'METHOD_NOT_FOUND' })).toBe(1);
    expect(moved('junction_calls_total', 'subtract', 'ok')).toBe(6);
    expect(moved('junction_calls_total', 'subtract', 'INVALID_PARAMS')).toBe(2);
    expect(sample(after, 'junction_queue_accepted_total', { queue: 'provider queue of calc' }) - sample(before, 'junction_queue_accepted_total', { queue: 'provider queue of calc' })).toBe(6);
    expect(after.find((f) => f.name === 'junction_call_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(sample(after, 'junction_transport_up', { transport: 'mem', type: 'memory' })).toBe(1);
    expect(sample(after, 'process_cpu_user_seconds_total', { node: 'test-metrics' })).toBeGreaterThan(0);

    // 3. One registry per node: the worker's health port shows the same counts.
    const worker = await scrape(node.healthUrl!);
    expect(calls(worker, 'junction_calls_total', 'subtract', 'ok')).toBe(calls(after, 'junction_calls_total', 'subtract', 'ok'));

    // 4. system.metrics summarises the same calls over the last minute.
    const summary = (await rpc(node.url!, 'system.metrics', {})).result as { node: string; seconds: number; methods: { method: string; calls: number; errors: number; perSecond: number; p50Ms: number; p99Ms: number }[] };
    expect(summary.node).toBe('test-metrics');
    const subtract = summary.methods.find((m) => m.method === 'calc.subtract')!;
    expect(subtract).toMatchObject({ calls: 8, errors: 2 });
    expect(subtract.perSecond).toBeCloseTo(8 / summary.seconds, 5);
    expect(subtract.p99Ms).toBeGreaterThanOrEqual(subtract.p50Ms);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('/metrics of a gateway and a worker in a cluster (tcp, each its own node)', () => {
  let gateway: RunningNode;
  let worker: RunningNode;
  beforeAll(async () => {
    const port = await freePort();
    const config = (name: string) => `
node: { name: ${name} }
log: { level: silent }
chain:
  - type: route
    routes:
      '*': { type: remote, transport: peer }
transports:
  peer: { type: tcp, connect: '127.0.0.1:${port}' }
  inbound: { type: tcp, listen: { host: 127.0.0.1, port: ${port} } }
gateway: { port: 0 }
worker:
  serve: [inbound]
  http: { host: 127.0.0.1, port: 0 }
services:
  calc: { package: '@junction/service-calc' }
`;
    worker = await startNode({ config: parseConfig(config('metrics-worker'), 'metrics-worker.yaml'), configFile: 'metrics-worker.yaml', role: 'worker' });
    gateway = await startNode({ config: parseConfig(config('metrics-gateway'), 'metrics-gateway.yaml'), configFile: 'metrics-gateway.yaml', role: 'gateway' });
  });
  afterAll(async () => {
    await gateway?.stop();
    await worker?.stop();
  });

  it('counts each call at the gateway edge and at the worker that answered it', async () => {
    const [gwBefore, wBefore] = await Promise.all([scrape(gateway.url!), scrape(worker.healthUrl!)]);
    for (let i = 0; i < 4; i++) expect((await rpc(gateway.url!, 'calc.subtract', [10, i])).result).toBe(10 - i);
    expect((await rpc(gateway.url!, 'calc.subtract', { minuend: 'x' })).error?.data?.code).toBe('INVALID_PARAMS');
    await new Promise((resolve) => setImmediate(resolve));
    const [gw, w] = await Promise.all([scrape(gateway.url!), scrape(worker.healthUrl!)]);

    expect(calls(gw, 'junction_gateway_calls_total', 'subtract', 'ok') - calls(gwBefore, 'junction_gateway_calls_total', 'subtract', 'ok')).toBe(4);
    expect(calls(gw, 'junction_gateway_calls_total', 'subtract', 'INVALID_PARAMS') - calls(gwBefore, 'junction_gateway_calls_total', 'subtract', 'INVALID_PARAMS')).toBe(1);
    expect(calls(w, 'junction_calls_total', 'subtract', 'ok') - calls(wBefore, 'junction_calls_total', 'subtract', 'ok')).toBe(4);
    expect(calls(w, 'junction_calls_total', 'subtract', 'INVALID_PARAMS') - calls(wBefore, 'junction_calls_total', 'subtract', 'INVALID_PARAMS')).toBe(1);
    // A gateway hosts no provider, and a worker has no edge: each counts only what passed through it.
    expect(calls(gw, 'junction_calls_total', 'subtract', 'ok')).toBe(0);
    expect(calls(w, 'junction_gateway_calls_total', 'subtract', 'ok')).toBe(0);
    expect(sample(gw, 'junction_transport_up', { transport: 'peer', type: 'tcp' })).toBe(1);
    expect(sample(w, 'process_resident_memory_bytes', { node: 'metrics-worker' })).toBeGreaterThan(0);

    // system.metrics is answered by the worker the call reached, about its own calls.
    const summary = (await rpc(gateway.url!, 'system.metrics', {})).result as { node: string; methods: { method: string; calls: number; errors: number }[] };
    expect(summary.node).toBe('metrics-worker');
    expect(summary.methods.find((m) => m.method === 'calc.subtract')).toMatchObject({ calls: 5, errors: 1 });
  });
});
