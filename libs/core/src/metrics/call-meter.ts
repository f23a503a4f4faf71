import { Counter, type Metric, type Registry } from 'prom-client';
import { type CallReply } from '../envelope';

/** Latency buckets in seconds: from 0.5 ms (a call on the same machine) to 30 s (a long render). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Past this many distinct `service.method`s, more are counted as `(other)`: a label set must stay bounded. */
const MAX_METHODS = 1000;
const UNKNOWN = '(unknown)';
const OTHER = '(other)';

/** One line of a metric as prom-client renders it. */
interface SampleValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One `service.method` at one place calls pass: plain numbers, turned into series at scrape time. */
interface MethodSeries {
  readonly service: string;
  readonly method: string;
  /** Calls by outcome (`ok` or an error code). */
  readonly outcomes: Map<string, number>;
  /** Calls per latency bucket (not cumulative); the last one is past every bound. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * Counts calls per `service.method` and outcome, with their latency, for one place calls pass
 * (the provider, or the gateway's edge). A call only finds its series and adds to plain numbers:
 * prom-client's own `labels().inc()` and `observe()` cost about 1.5 µs each (a label hash and an
 * object per call), which at tens of thousands of calls a second would be several % of a core.
 * The numbers become Prometheus series when `/metrics` is read.
 */
export class CallMeter {
  readonly #series = new Map<string, Map<string, MethodSeries>>();
  #size = 0;

  /** Registers the counter and histogram this meter feeds, both read from its numbers at scrape time. */
  constructor(registry: Registry, names: { calls: string; callsHelp: string; latency: string; latencyHelp: string }) {
    const all = () => this.#all();
    new Counter({
      name: names.calls,
      help: names.callsHelp,
      labelNames: ['service', 'method', 'outcome'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of all()) for (const [outcome, n] of s.outcomes) this.inc({ service: s.service, method: s.method, outcome }, n);
      },
    });
    const latency = names.latency;
    const help = names.latencyHelp;
    const histogram = {
      name: latency,
      help,
      type: 'histogram',
      aggregator: 'sum',
      reset: () => undefined,
      get: async () => ({ name: latency, help, type: 'histogram', aggregator: 'sum', values: all().flatMap((s) => histogramValues(latency, s)) }),
    };
    // prom-client renders any metric whose get() gives values; its types name only its own classes.
    registry.registerMetric(histogram as unknown as Metric);
  }

  record(service: string, method: string, reply: CallReply, seconds: number): void {
    const outcome = reply.error?.code ?? 'ok';
    // A name nobody hosts is whatever a client typed: one label for all of them, not one each.
    const known = outcome !== 'METHOD_NOT_FOUND';
    const s = this.#seriesOf(known ? service : UNKNOWN, known ? method : UNKNOWN);
    s.outcomes.set(outcome, (s.outcomes.get(outcome) ?? 0) + 1);
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]) b++;
    s.buckets[b]++;
    s.sum += seconds;
    s.count++;
  }

  #all(): MethodSeries[] {
    return [...this.#series.values()].flatMap((m) => [...m.values()]);
  }

  #seriesOf(service: string, method: string): MethodSeries {
    let methods = this.#series.get(service);
    const found = methods?.get(method);
    if (found !== undefined) return found;
    if (this.#size >= MAX_METHODS && service !== OTHER) return this.#seriesOf(OTHER, OTHER);
    if (methods === undefined) this.#series.set(service, (methods = new Map()));
    const s: MethodSeries = { service, method, outcomes: new Map(), buckets: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 };
    methods.set(method, s);
    this.#size++;
    return s;
  }
}

/** A histogram's series in the text format: cumulative `_bucket`s up to `+Inf`, `_sum`, `_count`. */
function histogramValues(name: string, s: MethodSeries): SampleValue[] {
  const labels = { service: s.service, method: s.method };
  const values: SampleValue[] = [];
  let cumulative = 0;
  for (let b = 0; b <= LATENCY_BUCKETS.length; b++) {
    cumulative += s.buckets[b];
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: b < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[b] : '+Inf' }, value: cumulative });
  }
  values.push({ metricName: `${name}_sum`, labels, value: s.sum }, { metricName: `${name}_count`, labels, value: s.count });
  return values;
}
