import { newSpanId, newTraceId, type SpanNode } from '@junction/core';
import { Cluster, until } from './cluster.test-support';

// A gateway and two workers over the real RabbitMQ and PostgreSQL, hosting different services:
// shots (and the probe) on one, calc on the other, so shots.stats's ctx.call('calc.sum') crosses
// processes. Every process traces (turned on here) and ships its spans to the tracing service.

jest.setTimeout(30_000);

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({
    workerServices: [['shots', 'probe'], ['calc']],
    configure: (config, run) => {
      config.node.name = `${run}-gateway`;
      // cluster.yaml leaves tracing off by default (its overhead, docs/tracing.md); on for this test.
      config.tracing.enabled = true;
      config.tracing.flushIntervalMs = 200;
    },
  });
  expect(cluster.workers).toHaveLength(2);
}, 90_000);

afterAll(() => cluster?.stop(), 60_000);

/** A JSON-RPC call with the client's own traceparent; the reply and the traceparent header it came back with. */
async function traced(method: string, params: unknown, traceparent: string) {
  const res = await fetch(`${cluster.gateway.url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
    signal: AbortSignal.timeout(20_000),
  });
  return { body: (await res.json()) as { result?: unknown; error?: unknown }, header: res.headers.get('traceparent') };
}

const flat = (nodes: SpanNode[]): SpanNode[] => nodes.flatMap((n) => [n, ...flat(n.children)]);

/** Polls tracing.get until the trace holds a span that `done` accepts; the spans are shipped each 200 ms. */
async function traceOf(traceId: string, done: (spans: SpanNode[]) => boolean): Promise<{ roots: SpanNode[]; spans: SpanNode[] }> {
  let last: { roots: SpanNode[] } = { roots: [] };
  await until(
    `trace ${traceId} is complete`,
    async () => {
      const r = await cluster.rpc<{ roots: SpanNode[] }>('tracing.get', { traceId });
      if (r.result !== undefined) last = r.result;
      // Each process ships on its own timer: wait for the gateway's span as well as the workers'.
      const spans = flat(last.roots);
      return spans.some((x) => x.kind === 'gateway') && done(spans);
    },
    20_000,
    () => `\nlast answer: ${JSON.stringify(last, null, 1)}`,
  );
  return { roots: last.roots, spans: flat(last.roots) };
}

function ancestors(span: SpanNode, all: SpanNode[]): SpanNode[] {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  const out: SpanNode[] = [];
  for (let p = span.parentSpanId && byId.get(span.parentSpanId); p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) out.push(p);
  return out;
}

describe('tracing across a cluster', () => {
  beforeAll(async () => {
    for (const [m, args] of [
      ['shots.createProject', { code: 'trace', name: 'Traced' }],
      ['shots.createSequence', { project: 'trace', code: 'sq010' }],
    ] as const) {
      const r = await cluster.rpc(m, args);
      expect(r.error).toBeUndefined();
    }
  }, 30_000);

  it('gives shots.create a trace with the id the client sent, its args and durations', async () => {
    const traceId = newTraceId();
    const client = newSpanId();
    const args = { project: 'trace', sequence: 'sq010', code: 'sh0010', frameIn: 1001, frameOut: 1096 };
    const { body, header } = await traced('shots.create', args, `00-${traceId}-${client}-01`);
    expect(body.result).toMatchObject({ code: 'sh0010', status: 'waiting' });
    // 1. The response names the same trace.
    expect(header).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // 2. The gateway's span is the child of the client's; the provider's is below it, on the shots worker, with the args.
    const { roots, spans } = await traceOf(traceId, (s) => s.some((x) => x.kind === 'handler' && x.name === 'shots.create'));
    const gateway = roots.find((r) => r.kind === 'gateway')!;
    expect(gateway).toMatchObject({ name: 'shots.create', parentSpanId: client, node: `${cluster.config.node.name}` });
    const provider = spans.find((s) => s.kind === 'provider' && s.name === 'shots.create')!;
    expect(provider.args).toEqual(args);
    expect(ancestors(provider, spans)).toContain(gateway);
    expect(ancestors(provider, spans)[0]).toMatchObject({ kind: 'transport', name: 'send over remote:rabbit' });
    expect(provider.queueWaitMs).toBeGreaterThanOrEqual(0);
    for (const s of spans) {
      expect(s.traceId).toBe(traceId);
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(gateway.durationMs).toBeGreaterThanOrEqual(provider.durationMs);
  });

  it('links a nested ctx.call on another worker as a child of the calling handler: shots.stats -> calc.sum', async () => {
    const traceId = newTraceId();
    const client = newSpanId();
    const { body } = await traced('shots.stats', { project: 'trace' }, `00-${traceId}-${client}-01`);
    expect(body.result).toMatchObject({ frames: 96 });
    // Spans come in batches, a process at a time: wait for every one the assertions read.
    const { roots, spans } = await traceOf(
      traceId,
      (s) =>
        s.some((x) => x.kind === 'handler' && x.name === 'calc.sum') &&
        s.some((x) => x.kind === 'handler' && x.name === 'shots.stats') &&
        s.some((x) => x.kind === 'provider' && x.name === 'calc.sum') &&
        s.some((x) => x.kind === 'proxy' && x.service === 'calc'),
    );
    const gateway = roots.find((r) => r.kind === 'gateway')!;
    expect(gateway).toMatchObject({ name: 'shots.stats', parentSpanId: client });
    const stats = spans.find((s) => s.kind === 'handler' && s.name === 'shots.stats')!;
    const sum = spans.find((s) => s.kind === 'provider' && s.name === 'calc.sum')!;
    // 1. calc.sum ran under shots.stats's handler, through its transport span, on the other worker.
    expect(ancestors(sum, spans)).toContain(stats);
    expect(ancestors(sum, spans)[0]).toMatchObject({ kind: 'transport' });
    expect(ancestors(stats, spans)).toContain(gateway);
    expect(sum.node).not.toBe(stats.node);
    expect(sum.args).toEqual({ values: [96] });
    // The worker's chain knows calc.sum is idempotent though the worker hosts shots only (its
    // catalog asks calc.$describe of a worker hosting calc): the retry proxy's attempt is a span.
    expect(ancestors(sum, spans)).toContainEqual(expect.objectContaining({ kind: 'proxy', name: 'retry attempt 1', service: 'calc', method: 'sum' }));
    // 2. recent and slowest find the calls.
    const recent = await cluster.rpc<{ traceId: string }[]>('tracing.recent', { service: 'calc', method: 'sum' });
    expect(recent.result!.map((s) => s.traceId)).toContain(traceId);
    const slowest = await cluster.rpc<{ durationMs: number }[]>('tracing.slowest', { limit: 3 });
    expect(slowest.result!.length).toBeGreaterThan(0);
  });

  it('never puts a sensitive param into a stored span or a log line', async () => {
    const traceId = newTraceId();
    const secret = `pw-${newSpanId()}`;
    const { body } = await traced('probe.signIn', { user: 'ada', password: secret }, `00-${traceId}-${newSpanId()}-01`);
    expect(body.result).toBe('ada');
    const { spans } = await traceOf(traceId, (s) => s.some((x) => x.kind === 'provider' && x.name === 'probe.signIn'));
    expect(spans.find((s) => s.kind === 'provider')!.args).toEqual({ user: 'ada', password: '[redacted]' });
    const recent = await cluster.rpc('tracing.recent', { service: 'probe', limit: 1000 });
    expect(JSON.stringify(recent.result)).not.toContain(secret);
    expect(JSON.stringify(spans)).not.toContain(secret);
    // The handler logged its args: the line is there, the password is not, in any process.
    const outputs = [cluster.gateway, ...cluster.workers].map((p) => p.output()).join('\n');
    expect(outputs).toContain('signing in');
    expect(outputs).not.toContain(secret);
  });
});
