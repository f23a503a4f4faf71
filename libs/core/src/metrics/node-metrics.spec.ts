import { Type } from '@sinclair/typebox';
import { type Args, type CallRequest } from '../envelope';
import { type MethodDescription } from '../provider/describe';
import { ServiceError } from '../errors';
import { Provider } from '../provider/provider';
import { createRetry } from '../proxies/retry';
import { systemClock } from '../proxies/proxy';
import { defineService, method } from '../service';
import { NodeMetrics } from './node-metrics';
import { parseMetrics, sample } from './prometheus-text.test-support';

const calc = defineService({
  name: 'calc',
  version: '1.0.0',
  description: 'Test service.',
  methods: {
    add: method({ description: 'a + b', params: { a: Type.Number(), b: Type.Number() }, result: Type.Number(), handler: ({ a, b }) => a + b }),
    refuse: method({ description: 'Always a ServiceError.', params: {}, result: Type.Null(), handler: () => { throw new ServiceError('NOPE', 'refused on purpose'); } }),
  },
});

let n = 0;
const req = (service: string, methodName: string, args: Args = {}): CallRequest => ({ id: `r${++n}`, service, method: methodName, args, meta: {} });
// Observers run after the reply, on the next turn of the event loop.
const observed = () => new Promise((resolve) => setImmediate(resolve));

describe('NodeMetrics', () => {
  it("counts the provider's calls per service.method and outcome, with their latency, as Prometheus text", async () => {
    const provider = new Provider().register(calc);
    const metrics = new NodeMetrics({ node: 'n1' });
    metrics.observe(provider);
    for (let i = 0; i < 3; i++) await provider.handle(req('calc', 'add', { a: 1, b: i }));
    await provider.handle(req('calc', 'add', { a: 'one' }));
    await provider.handle(req('calc', 'refuse'));
    await provider.handle(req('calc', 'nope'));
    await provider.handle(req('nobody', 'anything'));
    await observed();

    const families = parseMetrics(await metrics.text());
    expect(sample(families, 'junction_calls_total', { service: 'calc', method: 'add', outcome: 'ok' })).toBe(3);
    expect(sample(families, 'junction_calls_total', { service: 'calc', method: 'add', outcome: 'INVALID_PARAMS' })).toBe(1);
    expect(sample(families, 'junction_calls_total', { service: 'calc', method: 'refuse', outcome: 'SERVICE_ERROR' })).toBe(1);
    // Names nobody hosts share one label: a client cannot grow the series without bound.
    expect(sample(families, 'junction_calls_total', { service: '(unknown)', method: '(unknown)', outcome: 'METHOD_NOT_FOUND' })).toBe(2);
    expect(families.find((f) => f.name === 'junction_call_duration_seconds')?.type).toBe('HISTOGRAM');
    // The text parser folds labelled histograms together; prom-client's own view has each series.
    const latency = await metrics.registry.getSingleMetric('junction_call_duration_seconds')!.get();
    expect(latency.values.find((v) => (v as { metricName?: string }).metricName === 'junction_call_duration_seconds_count' && v.labels.method === 'add')?.value).toBe(4);

    expect(metrics.summary().methods.map((m) => [m.method, m.calls, m.errors])).toEqual([
      ['calc.add', 4, 1],
      ['calc.refuse', 1, 1],
    ]);
  });

  it('counts calls at the edge, retries, and reads queues, transports, cache and circuits at each scrape', async () => {
    const metrics = new NodeMetrics({ node: 'n2' });
    metrics.edge('calc', 'add', { id: '1', result: 3 }, 1.5);
    metrics.edge('calc', 'add', { id: '2', error: { code: 'OVERLOADED', message: 'full', retryable: true } }, 0.1);
    let inFlight = 2;
    metrics.queues(() => [{ name: 'gateway "HTTP in" queue', inFlight, waiting: 0, maxInFlight: 8, maxWaiting: 8, accepted: 10, rejected: 1, completed: 8, expired: 0, waitMsTotal: 1500, waitMsMax: 20 }]);
    let up = false;
    metrics.transports(() => [{ name: 'rabbit', type: 'amqp', ready: () => up }]);
    metrics.proxies(() => [
      { type: 'cache', backend: 'memory', available: true, hits: 7, misses: 2, shared: 1, entries: 2, bytes: 40 },
      { type: 'circuit-breaker', circuits: [{ key: 'render@remote:rabbit', state: 'open', calls: 20, failures: 15, openedAt: 1 }] },
    ]);

    let families = parseMetrics(await metrics.text());
    expect(sample(families, 'junction_gateway_calls_total', { method: 'add', outcome: 'ok' })).toBe(1);
    expect(sample(families, 'junction_gateway_calls_total', { method: 'add', outcome: 'OVERLOADED' })).toBe(1);
    expect(sample(families, 'junction_queue_in_flight', { queue: 'gateway "HTTP in" queue' })).toBe(2);
    expect(sample(families, 'junction_queue_wait_seconds_total', { queue: 'gateway "HTTP in" queue' })).toBe(1.5);
    expect(sample(families, 'junction_transport_up', { transport: 'rabbit', type: 'amqp' })).toBe(0);
    expect(sample(families, 'junction_cache_hits_total', { backend: 'memory' })).toBe(7);
    expect(sample(families, 'junction_cache_misses_total')).toBe(2);
    expect(sample(families, 'junction_cache_entries', { backend: 'memory' })).toBe(2);
    expect(sample(families, 'junction_cache_available', { backend: 'memory' })).toBe(1);
    expect(families.find((f) => f.name === 'junction_cache_hits_total')?.type).toBe('COUNTER');
    expect(families.find((f) => f.name === 'junction_cache_bytes')?.type).toBe('GAUGE');
    expect(sample(families, 'junction_circuit_state', { circuit: 'render@remote:rabbit', state: 'open' })).toBe(1);
    expect(sample(families, 'junction_circuit_state', { circuit: 'render@remote:rabbit', state: 'closed' })).toBe(0);
    expect(sample(families, 'junction_circuit_window_failures')).toBe(15);

    inFlight = 0;
    up = true;
    families = parseMetrics(await metrics.text());
    expect(sample(families, 'junction_queue_in_flight', { queue: 'gateway "HTTP in" queue' })).toBe(0);
    expect(sample(families, 'junction_transport_up', { transport: 'rabbit' })).toBe(1);
  });

  it('counts each retry of the retry proxy by the error that caused it', async () => {
    const probe: MethodDescription = { name: 'probe', description: '', params: [], result: Type.Null(), examples: [], idempotent: true, safe: true, sensitive: false, sensitiveParams: [], variadic: false };
    const metrics = new NodeMetrics({ node: 'n3' });
    const link = createRetry(
      { type: 'retry', attempts: 3, baseMs: 1, maxBackoffMs: 1 },
      { clock: systemClock, random: () => 0, methods: async () => probe, metrics },
    );
    let tries = 0;
    const handler = link(async (r) => (++tries < 3 ? { id: r.id, error: { code: 'UNAVAILABLE', message: 'down', retryable: true } } : { id: r.id, result: 'ok' }));
    await expect(handler(req('render', 'probe'))).resolves.toMatchObject({ result: 'ok' });
    const families = parseMetrics(await metrics.text());
    expect(sample(families, 'junction_retries_total', { service: 'render', method: 'probe', reason: 'UNAVAILABLE' })).toBe(2);
  });

  it('keeps each node in a registry of its own, with the process metrics labelled by node', async () => {
    const a = new NodeMetrics({ node: 'a' }).collectProcess();
    const b = new NodeMetrics({ node: 'b' }).collectProcess();
    a.edge('calc', 'add', { id: '1', result: 1 }, 1);
    const [fa, fb] = [parseMetrics(await a.text()), parseMetrics(await b.text())];
    expect(sample(fa, 'junction_gateway_calls_total')).toBe(1);
    expect(sample(fb, 'junction_gateway_calls_total')).toBe(0);
    expect(fa.find((f) => f.name === 'process_cpu_user_seconds_total')?.metrics[0].labels).toEqual({ node: 'a' });
    expect(fb.find((f) => f.name === 'nodejs_heap_size_used_bytes')?.metrics[0].labels).toEqual({ node: 'b' });
  });
});
