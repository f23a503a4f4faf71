import { parseConfig } from '../config';
import { silentLogger } from '../logging';
import { rawSpan, type RawSpan } from './span';
import { Tracer } from './tracer';

const tracerWith = (yaml: string) => new Tracer(parseConfig(`tracing:\n  enabled: true\n${yaml}`, 'test.yaml').tracing, { node: 'n1', log: silentLogger() });

const span = (n: number): RawSpan =>
  rawSpan('a'.repeat(32), n.toString(16).padStart(16, '0'), undefined, { kind: 'gateway', name: 'calc.add', service: 'calc', method: 'add', node: 'n1', start: n, durationMs: 1 });

/** A sink that holds each batch until the test lets it go, as a store does while it writes. */
function heldSink() {
  const batches: number[][] = [];
  const waiting: (() => void)[] = [];
  let holding = true;
  const ship = (records: readonly RawSpan[]) => {
    batches.push(records.map((r) => r.start));
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
    tracer.rawSink('test', sink.ship);
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
    tracer.rawSink('test', sink.ship);
    tracer.record(span(1));
    const flushed = tracer.flush();
    tracer.record(span(2));
    await sink.release();
    await flushed;
    expect(sink.batches).toEqual([[1]]);
    expect(tracer.stats().buffered).toBe(1);
  });
});
