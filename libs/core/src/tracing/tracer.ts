import { type TracingConfig } from '../config/schema';
import { newSpanId, newTraceId, traceparentOf } from '../envelope/ids';
import { type Logger } from '../logging';
import { type CallEvent } from '../provider/provider';
import { redactArgs, redactAttrs } from './redact';
import { type RawSpan, rawSpan, type Span, spanCount } from './span';

/** The service that stores spans: calls to it are never traced, or shipping spans would make more. */
export const TRACING_SERVICE = 'tracing';

/** Where a batch of finished spans goes: `tracing.record` through the node's chain, an OTLP exporter. */
export type SpanSink = (spans: Span[]) => Promise<void>;

/**
 * Where a batch goes as it was recorded (args not yet redacted, handler spans in their provider's
 * record): this node's own store, which redacts as it encodes, and saves making every span twice.
 */
export type RawSpanSink = (records: readonly RawSpan[]) => Promise<void>;

type Sink = { name: string; failing: boolean } & ({ raw: true; ship: RawSpanSink } | { raw: false; ship: SpanSink });

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
 * One per process. Spans are plain objects pushed to a bounded buffer (a full buffer drops and
 * counts), redacted and copied when a timer ships them in batches to every sink, after the
 * replies have gone. Nothing here is on a call's reply path but a push.
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
  #buffer: RawSpan[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  // How many of the buffer's first records a flush() asked to ship, a partial batch too; other
  // records are shipped in full batches only.
  #owed = 0;
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
   * Records one finished span (a provider's with its handler's). Cheap: a push, or a count when the
   * buffer is full. A full batch is shipped at once, after the replies of this turn of the event
   * loop have gone, rather than at the next tick of the timer: under load the buffer would
   * otherwise fill and drop spans.
   */
  record(span: RawSpan): void {
    if (span.service === TRACING_SERVICE) return;
    const buffered = this.#buffer.length;
    if (buffered >= this.#config.bufferSize) {
      this.#stats.dropped += span.handler === undefined ? 1 : 2;
      return;
    }
    this.#buffer.push(span);
    if (buffered + 1 >= this.#config.batchSize && !this.#soon && this.#flushing === undefined && this.#timer !== undefined) {
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
        // A reference: redacted when stored or shipped. No policy (method unknown): no args.
        rawArgs: t.policy === undefined ? undefined : req.args,
        policy: t.policy,
        handler: t.handlerStartedAt > 0 ? { spanId: t.handlerSpanId, start: t.handlerStartedAt, durationMs: t.handlerMs } : undefined,
      }),
    );
  };

  /** Adds a place batches are shipped to, as finished spans. */
  sink(name: string, ship: SpanSink): void {
    this.#sinks.push({ name, raw: false, ship, failing: false });
  }

  /** Adds a place batches are shipped to as recorded (see RawSpanSink). */
  rawSink(name: string, ship: RawSpanSink): void {
    this.#sinks.push({ name, raw: true, ship, failing: false });
  }

  /** Ships every `flushIntervalMs`, on a timer that does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#config.flushIntervalMs);
    this.#timer.unref();
  }

  /** Ships what the buffer holds now, in batches of `batchSize`. Never throws; one flush at a time. */
  flush(): Promise<void> {
    this.#owed = this.#buffer.length;
    return this.#run();
  }

  #run(): Promise<void> {
    this.#flushing ??= this.#flush().then(() => {
      this.#flushing = undefined;
      // flush() was asked for after the loop's last look at the buffer: its caller holds this promise.
      if (this.#owed > 0 && this.#sinks.length > 0) return this.#run();
      this.#owed = 0;
    });
    return this.#flushing;
  }

  /**
   * Full batches, and the records flush() asked for: under load a batch is taken when the one
   * before it is stored, and a loop that took whatever had come by then shipped dozens of small
   * batches a second, each paying a block's, a message's and a row's fixed cost for a few spans.
   */
  async #flush(): Promise<void> {
    const { batchSize } = this.#config;
    while (this.#sinks.length > 0 && (this.#buffer.length >= batchSize || this.#owed > 0)) {
      const raw = this.#buffer.splice(0, batchSize);
      this.#owed = Math.max(0, this.#owed - raw.length);
      const count = spanCount(raw);
      // Finished spans are made only for a sink that takes them, once for all of them.
      let finished: Span[] | undefined;
      await Promise.all(this.#sinks.map((s) => this.#ship(s, () => (s.raw ? s.ship(raw) : s.ship((finished ??= raw.flatMap(finish)))), count)));
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
    return { buffered: spanCount(this.#buffer), ...this.#stats };
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

/**
 * The shipped form, made off every call's path: args redacted and copied, only the fields of a
 * Span (a node's own tracing.record refuses others), and a provider's handler span made a span of
 * its own again. One literal of one shape per span.
 */
function finish(raw: RawSpan): Span[] {
  const span: Span = {
    traceId: raw.traceId,
    spanId: raw.spanId,
    parentSpanId: raw.parentSpanId,
    kind: raw.kind,
    name: raw.name,
    service: raw.service,
    method: raw.method,
    node: raw.node,
    start: raw.start,
    durationMs: raw.durationMs,
    error: raw.error,
    args: raw.policy === undefined ? undefined : redactArgs(raw.rawArgs, raw.policy),
    attrs: redactAttrs(raw.attrs, raw.rawArgs, raw.policy),
  };
  const h = raw.handler;
  if (h === undefined) return [span];
  return [
    span,
    { traceId: raw.traceId, spanId: h.spanId, parentSpanId: raw.spanId, kind: 'handler', name: raw.name, service: raw.service, method: raw.method, node: raw.node, start: h.start, durationMs: h.durationMs, error: raw.error, args: undefined, attrs: undefined },
  ];
}
