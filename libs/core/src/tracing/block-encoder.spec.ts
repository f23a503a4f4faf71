import { newSpanId, newTraceId } from '../envelope';
import { silentLogger } from '../logging';
import { decodePacked, encodeBlock, encodePacked, packSpans, SpanPacker } from './block-encoder';
import { rawSpan, type RawSpan, type Span } from './span';
import { SpanStore } from './store';

const traceId = newTraceId();

/** Every field a record can carry, in each combination the tracer makes. */
function records(): RawSpan[] {
  const gateway = rawSpan(traceId, newSpanId(), undefined, { kind: 'gateway', name: 'shots.create', service: 'shots', method: 'create', node: 'gw-1', start: 1_700_000_000_123, durationMs: 12.3456 });
  const transport = rawSpan(traceId, newSpanId(), gateway.spanId, {
    kind: 'transport',
    name: 'send over remote:mem',
    service: 'shots',
    method: 'create',
    node: 'gw-1',
    start: 1_700_000_000_124,
    durationMs: 10,
    attrs: { transport: 'mem' },
  });
  const provider = rawSpan(traceId, newSpanId(), transport.spanId, {
    kind: 'provider',
    name: 'shots.create',
    service: 'shots',
    method: 'create',
    node: 'wörker-1',
    start: 1_700_000_000_125,
    durationMs: 8.5,
    error: 'SERVICE_ERROR',
    attrs: { errorMessage: 'password hunter22 refused for plate «A»', attempt: 2 },
    rawArgs: ['sh010 ✓', 'hunter22'],
    policy: { names: ['shot', 'password'], sensitive: ['password'] },
    handler: { spanId: newSpanId(), start: 1_700_000_000_126, durationMs: 7.25 },
  });
  return [provider, transport, gateway];
}

/** The spans a record stands for, as the store answers them. */
function expected(r: RawSpan): Span[] {
  const span: Span = { traceId: r.traceId, spanId: r.spanId, kind: r.kind, name: r.name, service: r.service, method: r.method, node: r.node, start: r.start, durationMs: r.durationMs };
  if (r.parentSpanId !== undefined) span.parentSpanId = r.parentSpanId;
  if (r.error !== undefined) span.error = r.error;
  if (r.args !== undefined) span.args = r.args;
  if (r.attrs !== undefined) span.attrs = r.attrs;
  const h = r.handler;
  if (h === undefined) return [span];
  const handler: Span = { traceId: r.traceId, spanId: h.spanId, parentSpanId: r.spanId, kind: 'handler', name: r.name, service: r.service, method: r.method, node: r.node, start: h.start, durationMs: h.durationMs };
  if (r.error !== undefined) handler.error = r.error;
  return [span, handler];
}

describe('span blocks, encoded on their own thread', () => {
  it('keep every field of every kind of record, args and messages redacted, times exact', async () => {
    const store = new SpanStore({ ringSize: 100, log: silentLogger() });
    const [provider, transport, gateway] = records();
    await store.add([provider, transport, gateway]);
    const want = [...expected(gateway), ...expected(transport), ...expected(provider)].map((s) =>
      s.kind === 'provider' ? { ...s, args: { shot: 'sh010 ✓', password: '[redacted]' }, attrs: { errorMessage: 'password [redacted] refused for plate «A»', attempt: 2 } } : s,
    );
    expect(await store.trace(traceId)).toEqual(want.sort((a, b) => a.start - b.start));
    const block = await encodeBlock(records());
    expect(block).toMatchObject({ count: 4, errors: 1, start: 1_700_000_000_123, end: 1_700_000_000_126, maxDuration: 12.3456, codes: ',SERVICE_ERROR,', traces: `,${traceId},` });
    expect(block.keys.split(',').filter(Boolean).sort()).toEqual(['gateway|shots|create', 'handler|shots|create', 'provider|shots|create', 'transport|shots|create']);
    expect(block.body).not.toContain('hunter22');
  });

  it('keeps ids that are not lower-case hex as they came (spans from another tracer)', async () => {
    const store = new SpanStore({ ringSize: 100, log: silentLogger() });
    const odd: Span[] = [
      { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'span-1', kind: 'provider', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n', start: 5, durationMs: 1 },
      { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: '00000000000000zz', parentSpanId: 'span-1', kind: 'handler', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n', start: 6, durationMs: 0.5, args: { a: [1, 2] } },
    ];
    await store.add(odd);
    expect(await store.trace('ABCDEF0123456789ABCDEF0123456789')).toEqual([]); // not hex: never a stored trace id
    expect((await store.recent({ kind: 'handler' })).map((s) => [s.spanId, s.parentSpanId, s.args])).toEqual([['00000000000000zz', 'span-1', { a: [1, 2] }]]);
  });

  it('encodes batches in the order they were handed over, many at once', async () => {
    const batches = Array.from({ length: 20 }, (_, n) => [rawSpan(newTraceId(), newSpanId(), undefined, { kind: 'gateway', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n', start: n, durationMs: n })]);
    const blocks = await Promise.all(batches.map((b) => encodeBlock(b)));
    expect(blocks.map((b) => b.start)).toEqual(batches.map((_, n) => n));
  });

  it('reads back a batch whose indexes take more than one byte (hundreds of traces, names and args)', async () => {
    const spans = Array.from({ length: 400 }, (_, n) =>
      rawSpan(newTraceId(), newSpanId(), n % 2 === 0 ? undefined : newSpanId(), {
        kind: 'provider',
        name: `svc${n}.m`,
        service: `svc${n}`,
        method: 'm',
        node: `node-${n % 3}`,
        start: 1_700_000_000_000 + n / 7,
        durationMs: n / 3,
        error: n % 5 === 0 ? `CODE_${n}` : undefined,
        rawArgs: [n],
        policy: { names: ['n'] },
      }),
    );
    const back = await decodePacked(packSpans(spans));
    expect(back).toEqual(spans.map((r) => ({ ...expected(r)[0], args: { n: Number(r.name.slice(3, -2)) } })));
  });

  it('reuses the buffers the encoder thread hands back without reading what an earlier batch left in them', async () => {
    const first = new SpanPacker(3);
    for (const r of records()) first.add(r);
    await encodePacked(first.packed());
    // Same size: the buffer the thread gave back, every word of it written by the first batch.
    const second = new SpanPacker(3);
    const bare = rawSpan(newTraceId(), newSpanId(), undefined, { kind: 'gateway', name: 'calc.sum', service: 'calc', method: 'sum', node: 'n', start: 7, durationMs: 1 });
    second.add(bare);
    second.add(bare);
    const back = await decodePacked(second.packed());
    expect(back).toEqual([expected(bare)[0], expected(bare)[0]]);
  });

  it('packs a batch without keeping any args but their redacted text', () => {
    const packed = packSpans(records());
    expect(packed.count).toBe(3);
    expect(packed.buffer.byteLength).toBe(3 * 28 * 4);
    expect(packed.strings).toEqual(expect.arrayContaining(['provider', 'shots', 'create', 'wörker-1', 'SERVICE_ERROR']));
    expect(packed.texts.join(' ')).not.toContain('hunter22');
  });
});
