import { type CallRequest, parseConfig, silentLogger, type Span, Tracer } from '@junction/core';
import { type FastifyInstance } from 'fastify';
import { createGateway } from './gateway';
import { gatewayConfig } from './testing/embedded';

// A trace that starts at the gateway is sampled once, by the rate of its first call's service: the
// response header, the calls handed on and the spans recorded all agree.
describe('gateway spans of traces that start here', () => {
  let app: FastifyInstance;
  let tracer: Tracer;
  const seen: CallRequest[] = [];
  const records: Span[] = [];

  beforeAll(async () => {
    const yaml = 'tracing:\n  enabled: true\n  flushIntervalMs: 60000\n  sampleRate: 1\n  services:\n    calc: { sampleRate: 0 }\n';
    tracer = new Tracer(parseConfig(yaml, 'test.yaml').tracing, { node: 'gw', log: silentLogger() });
    tracer.sink('test', async (batch) => void records.push(...batch));
    const handler = async (req: CallRequest) => (seen.push(req), { id: req.id, result: 1 });
    app = await createGateway({ config: gatewayConfig(), handler, log: silentLogger(), tracer });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    seen.length = 0;
    records.length = 0;
  });

  const rpc = (body: unknown) => app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const parts = (traceparent: string) => ({ traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52), flags: traceparent.slice(53) });

  it("follows the service's rate, and the response header says what was decided", async () => {
    for (const res of [await rpc({ jsonrpc: '2.0', method: 'calc.subtract', params: [2, 1], id: 1 }), await app.inject({ method: 'POST', url: '/api/calc/subtract', payload: {} })]) {
      expect(parts(res.headers.traceparent as string).flags).toBe('00');
    }
    expect(seen.map((r) => parts(r.meta.traceparent!).flags)).toEqual(['00', '00']);
    const res = await rpc({ jsonrpc: '2.0', method: 'shots.list', params: {}, id: 1 });
    const header = parts(res.headers.traceparent as string);
    expect(header.flags).toBe('01');
    await tracer.flush();
    // The root call's gateway span is the one the header names, and the trace's root.
    expect(records.map((r) => [r.kind, r.traceId, r.spanId, r.parentSpanId])).toEqual([['gateway', header.traceId, header.spanId, undefined]]);
    // Its span is the next hop's parent: the call goes on with the header's traceparent.
    expect(seen[2].meta.traceparent).toBe(res.headers.traceparent);
  });

  it("samples by its rate a trace whose client sent a malformed traceparent, and passes a valid one on as it came", async () => {
    const malformed = `00-${'z'.repeat(32)}-${'0'.repeat(16)}-01`;
    const res = await app.inject({ method: 'POST', url: '/api/calc/subtract', headers: { traceparent: malformed }, payload: {} });
    expect(res.headers.traceparent).not.toBe(malformed);
    expect(parts(res.headers.traceparent as string).flags).toBe('00');
    const valid = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const passed = await app.inject({ method: 'POST', url: '/api/calc/subtract', headers: { traceparent: valid }, payload: {} });
    expect(passed.headers.traceparent).toBe(valid);
    await tracer.flush();
    // The client's decision stands over calc's rate: its call is recorded, under the client's span.
    expect(records.map((r) => [r.traceId, r.parentSpanId])).toEqual([['a'.repeat(32), 'b'.repeat(16)]]);
  });

  it("makes a batch's later calls children of its first call's span, never a second span of the same id", async () => {
    const res = await rpc([
      { jsonrpc: '2.0', method: 'shots.list', params: {}, id: 1 },
      { jsonrpc: '2.0', method: 'shots.get', params: {}, id: 2 },
      { jsonrpc: '2.0', method: 'calc.subtract', params: [2, 1], id: 3 },
    ]);
    const header = parts(res.headers.traceparent as string);
    expect(header.flags).toBe('01');
    await tracer.flush();
    const [first, ...rest] = [...records].sort((a, b) => (a.parentSpanId === undefined ? -1 : b.parentSpanId === undefined ? 1 : 0));
    expect(first).toMatchObject({ traceId: header.traceId, spanId: header.spanId });
    expect(first.parentSpanId).toBeUndefined();
    expect(rest).toHaveLength(2);
    for (const r of rest) expect(r).toMatchObject({ traceId: header.traceId, parentSpanId: header.spanId });
    expect(new Set(records.map((r) => r.spanId)).size).toBe(3);
    // The first call's service decided for the request: calc's call is recorded too.
    expect(records.map((r) => r.service).sort()).toEqual(['calc', 'shots', 'shots']);
  });

  it('has one root however a batch begins, a notification included', async () => {
    const res = await rpc([
      { jsonrpc: '2.0', method: 'shots.update', params: {} },
      { jsonrpc: '2.0', method: 'shots.get', params: {}, id: 2 },
    ]);
    const header = parts(res.headers.traceparent as string);
    await new Promise((r) => setImmediate(r));
    await tracer.flush();
    expect(records).toHaveLength(2);
    expect(records.filter((r) => r.parentSpanId === undefined).map((r) => r.spanId)).toEqual([header.spanId]);
    expect(new Set(records.map((r) => r.spanId)).size).toBe(2);
  });
});
