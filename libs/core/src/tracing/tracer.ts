import { type TracingConfig } from '../config/schema';
import { newSpanId, newTraceId, traceparentOf } from '../envelope/ids';
import { type Logger } from '../logging';
import { type CallEvent } from '../provider/provider';
import { decodePacked, type PackedSpans, SpanPacker } from './block-encoder';
import { type RawSpan, rawSpan, type Span } from './span';

/** The service that stores spans: calls to it are never traced, or shipping spans would make more. */
export const TRACING_SERVICE = 'tracing';

/** Where a batch of finished spans goes: `tracing.record` through the node's chain, an OTLP exporter. */
export type SpanSink = (spans: Span[]) => Promise<void>;

/**
 * Where a batch goes as it was packed (args redacted, handler spans in their provider's record):
 * this node's own store, which encodes it into a block without making a span object of it.
 */
export type PackedSpanSink = (packed: PackedSpans) => Promise<void>;

type Sink = { name: string; failing: boolean } & ({ packed: true; ship: PackedSpanSink } | { packed: false; ship: SpanSink });

export interface TracerStats {
  buffered: number;
  /** Spans dropped because the buffer was full. */
  dropped: number;
  shipped: number;
  /** Spans in batches a sink refused or failed on. */
  failed: number;
}

export interface TracerOptions {
  node: string;
  log: Logger;
  /** Numbers in [0, 1) for sampling; Math.random when absent. */
  random?: () => number;
}

/**
 * One per process. Each finished span is packed as it is recorded (SpanPacker: a few typed-array
 * writes, its args redacted into text) into the batch being filled, in a bounded buffer of
 * batches (a full buffer drops and counts); full batches are shipped to every sink after the
 * replies of that turn have gone, a partial one by a timer. No span object outlives its call:
 * kept until a flush, hundreds of them were copied by every garbage collection in between.
 *
 * @example
 * const tracer = new Tracer(config.tracing, { node: 'w1', log });
 * tracer.sink((spans) => sendToTracingService(spans));
 * tracer.start();
 */
export class Tracer {
  readonly node: string;
  readonly #config: TracingConfig;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #sinks: Sink[] = [];
  // The batch being filled, and the batches waiting to be shipped, oldest first.
  #filling: SpanPacker | undefined;
  readonly #queued: SpanPacker[] = [];
  // Records and spans in both.
  #records = 0;
  #spans = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  // A full batch's flush is scheduled: one at a time.
  #soon = false;
  readonly #stats = { dropped: 0, shipped: 0, failed: 0 };

  constructor(config: TracingConfig, opts: TracerOptions) {
    this.#config = config;
    this.node = opts.node;
    this.#log = opts.log;
    this.#random = opts.random ?? Math.random;
  }

  /** Whether a trace that starts with a call to `service` is kept: its sampled flag, decided once, at the root. */
  sampleRoot(service: string): boolean {
    const rate = this.#config.services[service]?.sampleRate ?? this.#config.sampleRate;
    return rate >= 1 || (rate > 0 && this.#random() < rate);
  }

  /** A new trace's traceparent, sampled or not by `sampleRoot(service)`. */
  rootTraceparent(service: string): string {
    return traceparentOf(newTraceId(), newSpanId(), this.sampleRoot(service));
  }

  /**
   * Records one finished span (a provider's with its handler's): packs it, or counts it dropped
   * when the buffer is full. A full batch is shipped at once, after the replies of this turn of
   * the event loop have gone, rather than at the next tick of the timer: under load the buffer
   * would otherwise fill and drop spans.
   */
  record(span: RawSpan): void {
    if (span.service === TRACING_SERVICE) return;
    const spans = span.handler === undefined ? 1 : 2;
    if (this.#records >= this.#config.bufferSize) {
      this.#stats.dropped += spans;
      return;
    }
    const batch = (this.#filling ??= new SpanPacker(this.#config.batchSize));
    batch.add(span);
    this.#records++;
    this.#spans += spans;
    if (!batch.full) return;
    this.#queued.push(batch);
    this.#filling = undefined;
    if (!this.#soon && this.#flushing === undefined && this.#timer !== undefined) {
      this.#soon = true;
      // A timer, not setImmediate: the replies of this turn, written in its check phase (the
      // gateway's bursts), go first, and the flush runs before the next requests are read. A
      // flush under way takes the batch itself, when the one before is stored.
      setTimeout(this.#flushSoon, 0);
    }
  }

  readonly #flushSoon = (): void => {
    this.#soon = false;
    void this.#run();
  };

  /** The provider's observer (`provider.observe(tracer.observer, { trace: true })`): one record a sampled call, its provider's span with its handler's. */
  readonly observer = (event: CallEvent): void => {
    const t = event.trace;
    if (t === undefined) return;
    const { req, reply } = event;
    const { service, method } = req;
    this.record(
      rawSpan(t.traceId, t.spanId, t.parentSpanId, {
        kind: 'provider',
        name: t.name ?? `${service}.${method}`,
        service,
        method,
        node: this.node,
        start: event.startedAt,
        durationMs: event.durationMs,
        error: reply.error?.code,
        attrs: attrsOf(req.meta.attempt, reply.error),
        // Redacted as the record is packed. No policy (method unknown): no args.
        rawArgs: t.policy === undefined ? undefined : req.args,
        policy: t.policy,
        handler: t.handlerStartedAt > 0 ? { spanId: t.handlerSpanId, start: t.handlerStartedAt, durationMs: t.handlerMs } : undefined,
      }),
    );
  };

  /** Adds a place batches are shipped to, as finished spans. */
  sink(name: string, ship: SpanSink): void {
    this.#sinks.push({ name, packed: false, ship, failing: false });
  }

  /** Adds a place batches are shipped to as packed (see PackedSpanSink). */
  packedSink(name: string, ship: PackedSpanSink): void {
    this.#sinks.push({ name, packed: true, ship, failing: false });
  }

  /** Ships every `flushIntervalMs`, on a timer that does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#config.flushIntervalMs);
    this.#timer.unref();
  }

  /** Ships what the buffer holds now, the batch being filled too. Never throws; one flush at a time. */
  flush(): Promise<void> {
    const partial = this.#filling;
    if (partial !== undefined && partial.count > 0) {
      this.#queued.push(partial);
      this.#filling = undefined;
    }
    return this.#run();
  }

  #run(): Promise<void> {
    this.#flushing ??= this.#flush().then(() => {
      this.#flushing = undefined;
      // A batch queued after the loop's last look: its caller (flush(), or a full batch's record) counts on this run.
      if (this.#queued.length > 0 && this.#sinks.length > 0) return this.#run();
    });
    return this.#flushing;
  }

  /**
   * The queued batches, oldest first: under load a batch is taken when the one before it is
   * stored. Full batches only, but for the one a flush() queued: a loop that took whatever had
   * come by then shipped dozens of small batches a second, each paying a block's, a message's and
   * a row's fixed cost for a few spans.
   */
  async #flush(): Promise<void> {
    while (this.#sinks.length > 0 && this.#queued.length > 0) {
      const batch = this.#queued.shift()!;
      this.#records -= batch.count;
      this.#spans -= batch.spans;
      const packed = batch.packed();
      const sinks = this.#sinks;
      // Finished spans only for the sinks that take them, made once for all of them (from a copy
      // of the buffer, taken now: a packed sink is handed the buffer itself).
      const finished = sinks.some((s) => !s.packed) ? decodePacked(packed) : undefined;
      await Promise.all(sinks.map((s) => this.#ship(s, () => (s.packed ? s.ship(packed) : finished!.then(s.ship)), packed.spans)));
    }
  }

  async #ship(sink: Sink, ship: () => Promise<void>, count: number): Promise<void> {
    try {
      await ship();
      this.#stats.shipped += count;
      if (sink.failing) this.#log.info({ sink: sink.name }, 'tracing: shipping spans works again');
      sink.failing = false;
    } catch (err) {
      this.#stats.failed += count;
      // One warning per outage, not one per batch.
      if (!sink.failing) this.#log.warn({ err, sink: sink.name, spans: count }, `tracing: could not ship spans to ${sink.name}; they are dropped until it answers again`);
      sink.failing = true;
    }
  }

  stats(): TracerStats {
    return { buffered: this.#spans, ...this.#stats };
  }

  /** Stops the timer and ships what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

/** The most an error's message keeps in a span: enough to read, not a dump. */
const MAX_ERROR_MESSAGE = 300;

/**
 * A provider span's attrs: the attempt past the first, and a failed call's message (and a service
 * error's reason), so that a trace says what went wrong and not only its code.
 */
function attrsOf(attempt: number | undefined, error: { message?: string; data?: unknown } | undefined): Record<string, string | number> | undefined {
  // The common case, a first attempt that succeeded, allocates nothing.
  if (error === undefined && (attempt === undefined || attempt <= 1)) return undefined;
  const attrs: Record<string, string | number> = {};
  if (attempt !== undefined && attempt > 1) attrs.attempt = attempt;
  if (error !== undefined) {
    if (typeof error.message === 'string') attrs.errorMessage = error.message.length > MAX_ERROR_MESSAGE ? `${error.message.slice(0, MAX_ERROR_MESSAGE)}…` : error.message;
    const reason = (error.data as { reason?: unknown } | undefined)?.reason;
    if (typeof reason === 'string') attrs.errorReason = reason;
  }
  return Object.keys(attrs).length === 0 ? undefined : attrs;
}
