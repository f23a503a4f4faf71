import { type TracingConfig } from '../config/schema';
import { newSpanId, newTraceId } from '../envelope/ids';
import { type Logger } from '../logging';
import { type CallEvent } from '../provider/provider';
import { redactArgs, redactText } from './redact';
import { type RawSpan, rawSpan, type Span } from './span';

/** The service that stores spans: calls to it are never traced, or shipping spans would make more. */
export const TRACING_SERVICE = 'tracing';

/** Where a batch of finished spans goes: `tracing.record` through the node's chain, an OTLP exporter. */
export type SpanSink = (spans: Span[]) => Promise<void>;

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
  readonly #sinks: { name: string; ship: SpanSink; failing: boolean }[] = [];
  #buffer: RawSpan[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
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
    return `00-${newTraceId()}-${newSpanId()}-${this.sampleRoot(service) ? '01' : '00'}`;
  }

  /**
   * Records one finished span. Cheap: a push, or a count when the buffer is full. A full batch is
   * shipped at once, after the replies of this turn of the event loop have gone, rather than at
   * the next tick of the timer: under load the buffer would otherwise fill and drop spans.
   */
  record(span: RawSpan): void {
    if (span.service === TRACING_SERVICE) return;
    const buffered = this.#buffer.length;
    if (buffered >= this.#config.bufferSize) {
      this.#stats.dropped++;
      return;
    }
    this.#buffer.push(span);
    if (buffered + 1 === this.#config.batchSize && this.#timer !== undefined) setImmediate(this.#flushSoon);
  }

  readonly #flushSoon = (): void => void this.flush();

  /** The provider's observer (`provider.observe(tracer.observer, { trace: true })`): a provider span and a handler span per sampled call. */
  readonly observer = (event: CallEvent): void => {
    const t = event.trace;
    if (t === undefined) return;
    const { req, reply } = event;
    const { service, method } = req;
    const error = reply.error?.code;
    const name = `${service}.${method}`;
    this.record(
      rawSpan(t.traceId, t.spanId, t.parentSpanId, {
        kind: 'provider',
        name,
        service,
        method,
        node: this.node,
        start: event.startedAt,
        durationMs: event.durationMs,
        error,
        attrs: attrsOf(req.meta.attempt, reply.error),
        // A reference: redacted and copied when shipped. No policy (method unknown): no args.
        rawArgs: t.policy === undefined ? undefined : req.args,
        policy: t.policy,
      }),
    );
    if (t.handlerStartedAt > 0) {
      this.record(rawSpan(t.traceId, t.handlerSpanId, t.spanId, { kind: 'handler', name, service, method, node: this.node, start: t.handlerStartedAt, durationMs: t.handlerMs, error }));
    }
  };

  /** Adds a place batches are shipped to. */
  sink(name: string, ship: SpanSink): void {
    this.#sinks.push({ name, ship, failing: false });
  }

  /** Ships every `flushIntervalMs`, on a timer that does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#config.flushIntervalMs);
    this.#timer.unref();
  }

  /** Ships what the buffer holds now, in batches of `batchSize`. Never throws; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#buffer.length > 0 && this.#sinks.length > 0) {
      const raw = this.#buffer.splice(0, this.#config.batchSize);
      const spans = raw.map(finish);
      await Promise.all(this.#sinks.map((s) => this.#ship(s, spans)));
    }
  }

  async #ship(sink: { name: string; ship: SpanSink; failing: boolean }, spans: Span[]): Promise<void> {
    try {
      await sink.ship(spans);
      this.#stats.shipped += spans.length;
      if (sink.failing) this.#log.info({ sink: sink.name }, 'tracing: shipping spans works again');
      sink.failing = false;
    } catch (err) {
      this.#stats.failed += spans.length;
      // One warning per outage, not one per batch.
      if (!sink.failing) this.#log.warn({ err, sink: sink.name, spans: spans.length }, `tracing: could not ship spans to ${sink.name}; they are dropped until it answers again`);
      sink.failing = true;
    }
  }

  stats(): TracerStats {
    return { buffered: this.#buffer.length, ...this.#stats };
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
 * The stored form, made off every call's path: args redacted and copied, and only the fields of a
 * Span (a node's own tracing.record refuses others). One literal of one shape per span.
 */
function finish(raw: RawSpan): Span {
  return {
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
    attrs: raw.policy === undefined || typeof raw.attrs?.errorMessage !== 'string' ? raw.attrs : { ...raw.attrs, errorMessage: redactText(raw.attrs.errorMessage, raw.rawArgs, raw.policy) },
  };
}
