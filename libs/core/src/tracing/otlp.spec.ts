import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { newSpanId, newTraceId } from '../envelope';
import { createOtlpSink } from './otlp';
import { type Span } from './span';

interface Received {
  path: string;
  contentType: string | undefined;
  body: string;
}

// A stand-in collector: records what an OTLP/HTTP exporter posts, and answers as a collector does.
async function collector(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received, server };
}

describe('OTLP export', () => {
  it('sends our spans to a collector as OTLP/HTTP JSON, one resource per service and node', async () => {
    const c = await collector();
    const sink = createOtlpSink({ url: c.url, headers: { 'x-team': 'pipeline' } });
    const traceId = newTraceId();
    const parent: Span = { traceId, spanId: newSpanId(), kind: 'gateway', name: 'shots.stats', service: 'shots', method: 'stats', node: 'gw', start: 1_700_000_000_123.5, durationMs: 12 };
    const child: Span = { ...parent, spanId: newSpanId(), parentSpanId: parent.spanId, kind: 'provider', name: 'calc.sum', service: 'calc', method: 'sum', node: 'w2', durationMs: 2, error: 'INVALID_PARAMS', args: { values: [1] } };
    await sink.ship([parent, child]);
    await sink.close();
    c.server.close();

    expect(c.received).toHaveLength(1);
    expect(c.received[0]).toMatchObject({ path: '/v1/traces', contentType: 'application/json' });
    const body = JSON.parse(c.received[0].body) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const services = body.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).sort();
    expect(services).toEqual(['calc', 'shots']);
    const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const sum = spans.find((s) => s.name === 'calc.sum')!;
    expect(sum).toMatchObject({ traceId, spanId: child.spanId, parentSpanId: parent.spanId, status: { code: 2, message: 'INVALID_PARAMS' } });
    expect(String(sum.startTimeUnixNano)).toBe('1700000000123500000');
    expect(JSON.stringify(sum.attributes)).toContain('"junction.args"');
  });

  it('fails the batch, naming the collector, when it cannot be reached', async () => {
    const sink = createOtlpSink({ url: 'http://127.0.0.1:9/v1/traces', timeoutMs: 500 });
    const span: Span = { traceId: newTraceId(), spanId: newSpanId(), kind: 'provider', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n', start: Date.now(), durationMs: 1 };
    await expect(sink.ship([span])).rejects.toBeDefined();
    await sink.close();
  });
});
