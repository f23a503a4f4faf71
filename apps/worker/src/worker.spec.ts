import { join } from 'node:path';
import { type JunctionConfig, newRequestId, parseConfig, silentLogger } from '@junction/core';
import { createMemoryTransport, type Transport } from '@junction/transports';
import { runs } from './fixtures/slow-service';
import { createHealthServer } from './health';
import { createWorker } from './worker';

const configFile = join(__dirname, 'fixtures', 'worker.yaml');
const yaml = `
worker: { serve: [mem], drainGraceMs: 2000 }
transports: { mem: { type: memory } }
services:
  slow: { package: ./slow-service.ts, concurrency: { type: inline, maxInFlight: 4, maxQueue: 100 } }
`;

function setup(text = yaml) {
  const config: JunctionConfig = parseConfig(text, configFile, {});
  const log = silentLogger();
  const mem = createMemoryTransport({ type: 'memory', maxInFlight: 100, maxQueue: 100 }, { name: 'mem', log });
  const transports = new Map<string, Transport>([['mem', mem]]);
  const worker = createWorker({ config, configFile, log, transports });
  const call = (ms: number) => mem.call({ id: newRequestId(), service: 'slow', method: 'wait', args: { ms }, meta: { deadline: Date.now() + 10_000 } });
  return { worker, mem, call };
}

describe('worker', () => {
  it('hosts the configured services and the system service, served on its transports', async () => {
    const { worker, call } = setup();
    await worker.start(async (req) => ({ id: req.id, error: { code: 'UNAVAILABLE', message: 'no chain in this test' } }));
    expect(worker.provider.services()).toEqual(expect.arrayContaining(['slow', 'logging', 'management', 'system']));
    await expect(call(5)).resolves.toMatchObject({ result: 5 });
    expect(worker.ready()).toBe(true);
    await worker.drain();
  });

  it('drains: finishes calls in flight, refuses new ones, then reports not ready', async () => {
    const { worker, call } = setup();
    await worker.start(async (req) => ({ id: req.id, result: null }));
    const before = runs.finished;
    const inFlight = [call(200), call(200), call(200)];
    await new Promise((r) => setTimeout(r, 20));
    const drained = worker.drain();
    expect(worker.ready()).toBe(false);
    await expect(call(1)).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    await expect(drained).resolves.toBe(true);
    expect((await Promise.all(inFlight)).map((r) => r.result)).toEqual([200, 200, 200]);
    expect(runs.finished - before).toBe(3);
  });

  it('gives up on calls still running when the grace period ends, and says so', async () => {
    const { worker, call } = setup();
    await worker.start(async (req) => ({ id: req.id, result: null }));
    void call(400);
    await new Promise((r) => setTimeout(r, 20));
    await expect(worker.drain(100)).resolves.toBe(false);
  });

  it('names transports it cannot serve on', () => {
    expect(() => setup(yaml.replace('serve: [mem]', 'serve: [mem, rabbit]'))).toThrow('worker.serve names "rabbit", not under transports (known: mem)');
  });

  it('names a service package it cannot load', () => {
    expect(() => setup(yaml.replace('./slow-service.ts', './missing.ts'))).toThrow(/services\.slow\.package: cannot load "\.\/missing\.ts"/);
  });

  it('answers /healthz, /readyz and /metrics on its health port', async () => {
    const { worker } = setup();
    await worker.start(async (req) => ({ id: req.id, result: null }));
    let ready = true;
    const app = await createHealthServer({ log: silentLogger(), ready: () => ready, queues: () => worker.provider.queues() });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    ready = false;
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('# TYPE junction_queue_in_flight gauge');
    expect(metrics).toContain('junction_queue_accepted_total{queue="provider queue of slow"}');
    await app.close();
    await worker.drain();
  });
});
