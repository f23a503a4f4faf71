import { parseConfig } from '../config';
import { silentLogger } from '../logging';
import { type PackedSpans } from './block-encoder';
import { rawSpan, type RawSpan, type Span } from './span';
import { Tracer } from './tracer';

const tracerWith = (yaml: string) => new Tracer(parseConfig(`tracing:\n  enabled: true\n${yaml}`, 'test.yaml').tracing, { node: 'n1', log: silentLogger() });

const span = (n: number): RawSpan =>
  rawSpan('a'.repeat(32), n.toString(16).padStart(16, '0'), undefined, { kind: 'gateway', name: 'calc.add', service: 'calc', method: 'add', node: 'n1', start: n, durationMs: 1 });

/** The start of each record of a batch: its first float64 (block-encoder.ts, RECORD_WORDS = 28 words a record). */
const startsOf = (packed: PackedSpans) => Array.from({ length: packed.count }, (_, r) => new Float64Array(packed.buffer)[r * 14]);

/** A sink that holds each batch until the test lets it go, as a store does while it writes. */
function heldSink() {
  const batches: number[][] = [];
  const waiting: (() => void)[] = [];
  let holding = true;
  const ship = (packed: PackedSpans) => {
    batches.push(startsOf(packed));
    return holding ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve();
  };
  const release = async () => {
    for (const done of waiting.splice(0)) done();
    // The flush loop goes on after the sink's promise and the tracer's own.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  /** Stops holding: the test is over. */
  const open = () => {
    holding = false;
    for (const done of waiting.splice(0)) done();
  };
  return { batches, ship, release, open };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Tracer batches', () => {
  let tracer: Tracer;
  let sink: ReturnType<typeof heldSink>;
  beforeEach(() => (sink = heldSink()));
  afterEach(async () => {
    sink.open();
    await tracer.close();
  });

  /** A started tracer, batches of 3, whose first full batch (records 1 to 3) the sink holds. */
  async function holdingFirstBatch(): Promise<void> {
    tracer = tracerWith('  batchSize: 3\n  flushIntervalMs: 60000\n');
    tracer.packedSink('test', sink.ship);
    tracer.start();
    for (let n = 1; n <= 3; n++) tracer.record(span(n));
    await tick();
  }

  it('ships a full batch soon after it fills, and leaves a partial one for the timer', async () => {
    await holdingFirstBatch();
    tracer.record(span(4));
    await tick();
    expect(sink.batches).toEqual([[1, 2, 3]]);
    await sink.release();
    await tick();
    // The 4th waits: under load, a batch is shipped only when full.
    expect(sink.batches).toEqual([[1, 2, 3]]);
    expect(tracer.stats().buffered).toBe(1);
  });

  it('takes only full batches while one is being stored: records that came meanwhile wait for a full batch', async () => {
    await holdingFirstBatch();
    // Stored slowly; two records come meanwhile: not a batch of two once it is done.
    tracer.record(span(4));
    tracer.record(span(5));
    await sink.release();
    await tick();
    expect(sink.batches).toEqual([[1, 2, 3]]);
    tracer.record(span(6));
    tracer.record(span(7));
    await tick();
    expect(sink.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await sink.release();
    expect(tracer.stats().buffered).toBe(1);
  });

  it('flush() ships what the buffer holds, a partial batch too, even while a flush is under way', async () => {
    await holdingFirstBatch();
    tracer.record(span(4));
    const flushed = tracer.flush();
    await sink.release();
    await sink.release();
    await flushed;
    expect(sink.batches).toEqual([[1, 2, 3], [4]]);
    expect(tracer.stats()).toMatchObject({ buffered: 0, shipped: 4, dropped: 0 });
  });

  it('flush() ships only what it found: records that come while it ships wait for a full batch', async () => {
    tracer = tracerWith('  batchSize: 2\n  flushIntervalMs: 60000\n');
    tracer.packedSink('test', sink.ship);
    tracer.record(span(1));
    const flushed = tracer.flush();
    tracer.record(span(2));
    await sink.release();
    await flushed;
    expect(sink.batches).toEqual([[1]]);
    expect(tracer.stats().buffered).toBe(1);
  });
});

describe('Tracer sinks', () => {
  it('hands a packed sink the batch and a span sink the same spans finished, args redacted, handler spans apart', async () => {
    const tracer = tracerWith('  batchSize: 10\n  flushIntervalMs: 60000\n');
    const packed: PackedSpans[] = [];
    const finished: Span[][] = [];
    tracer.packedSink('store', async (p) => void packed.push(p));
    tracer.sink('collector', async (spans) => void finished.push(spans));
    const traceId = 'b'.repeat(32);
    tracer.record(rawSpan(traceId, '1'.repeat(16), undefined, { kind: 'gateway', name: 'users.login', service: 'users', method: 'login', node: 'n1', start: 1000, durationMs: 2 }));
    tracer.record(
      rawSpan(traceId, '2'.repeat(16), '1'.repeat(16), {
        kind: 'provider',
        name: 'users.login',
        service: 'users',
        method: 'login',
        node: 'n1',
        start: 1000.5,
        durationMs: 1.5,
        rawArgs: ['ana', 'hunter22'],
        policy: { names: ['user', 'password'], sensitive: ['password'] },
        handler: { spanId: '3'.repeat(16), start: 1001, durationMs: 1 },
      }),
    );
    expect(tracer.stats().buffered).toBe(3);
    await tracer.close();
    expect(packed.map((p) => [p.count, p.spans])).toEqual([[2, 3]]);
    expect(finished).toHaveLength(1);
    expect(finished[0].map((s) => [s.kind, s.spanId, s.parentSpanId, s.args])).toEqual([
      ['gateway', '1'.repeat(16), undefined, undefined],
      ['provider', '2'.repeat(16), '1'.repeat(16), { user: 'ana', password: '[redacted]' }],
      ['handler', '3'.repeat(16), '2'.repeat(16), undefined],
    ]);
    // Counted by each sink that took them.
    expect(tracer.stats()).toMatchObject({ buffered: 0, shipped: 6, dropped: 0, failed: 0 });
  });

  it('drops and counts what comes while its buffer is full, and takes records again once it shipped', async () => {
    const tracer = tracerWith('  batchSize: 2\n  bufferSize: 2\n  flushIntervalMs: 60000\n');
    const shipped: number[] = [];
    tracer.packedSink('store', async (p) => void shipped.push(p.count));
    for (let n = 1; n <= 3; n++) tracer.record(span(n));
    expect(tracer.stats()).toMatchObject({ buffered: 2, dropped: 1 });
    await tracer.flush();
    tracer.record(span(4));
    await tracer.close();
    expect(shipped).toEqual([2, 1]);
    expect(tracer.stats()).toMatchObject({ buffered: 0, shipped: 3, dropped: 1 });
  });
});
