import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { type CallReply, type CallRequest } from '../envelope';
import { type CallEvent, type Provider } from '../provider/provider';
import { type ProxyMetrics, type ProxyStatus } from '../proxies/proxy';
import { type QueueStats } from '../queue/work-queue';
import { CallMeter } from './call-meter';
import { CallWindow, type WindowSummary } from './window';

/** What `/metrics` needs to know of a transport: its name, its type, and whether it can carry calls now. */
export interface TransportGauge {
  readonly name: string;
  readonly type: string;
  ready(): boolean;
}

export interface NodeMetricsOptions {
  /** This node's name: a label of the process metrics. */
  node: string;
  /** Time for the rolling window of `system.metrics`; real time when absent. */
  now?: () => number;
}

const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;

/**
 * The metrics of one node, in a prom-client registry of its own (not the global one, so that
 * several nodes in one process, as in tests, never share a series): calls and latency at the
 * provider and at the gateway's edge, the node's queues, transports, retries, cache and circuits,
 * and the process. `/metrics` on the gateway and on a worker's health port render it.
 *
 * @example
 * const metrics = new NodeMetrics({ node: 'w1' }).collectProcess();
 * metrics.observe(provider);
 * const text = await metrics.text();
 */
export class NodeMetrics implements ProxyMetrics {
  readonly registry = new Registry();
  readonly node: string;
  /** The provider's last minute per method, for `system.metrics`. */
  readonly window: CallWindow;
  readonly #provider: CallMeter;
  readonly #edge: CallMeter;
  readonly #retries: Counter<'service' | 'method' | 'reason'>;
  #queues: () => QueueStats[] = () => [];
  #transports: () => Iterable<TransportGauge> = () => [];
  #proxies: () => ProxyStatus[] = () => [];
  #process = false;

  constructor(opts: NodeMetricsOptions) {
    this.node = opts.node;
    this.window = new CallWindow(opts.now);
    const registers = [this.registry];
    this.#provider = new CallMeter(this.registry, {
      calls: 'junction_calls_total',
      callsHelp: "Calls answered by this node's provider, by outcome: ok or the error code.",
      latency: 'junction_call_duration_seconds',
      latencyHelp: 'Time from the provider taking a call to its reply: queue wait, handler and checks.',
    });
    this.#edge = new CallMeter(this.registry, {
      calls: 'junction_gateway_calls_total',
      callsHelp: "Calls the gateway handed to the node's chain, by outcome: ok or the error code.",
      latency: 'junction_gateway_call_duration_seconds',
      latencyHelp: "Time from the gateway's queue to the reply: the whole chain, transports and worker included.",
    });
    this.#retries = new Counter({ name: 'junction_retries_total', help: 'Calls tried again by the retry proxy, by the error that caused it.', labelNames: ['service', 'method', 'reason'], registers });
    this.#queueMetrics();
    this.#transportMetrics();
    this.#proxyMetrics();
  }

  /** Adds the process metrics (CPU, memory, event loop lag, GC, handles), labelled with the node's name. Once per node. */
  collectProcess(): this {
    if (!this.#process) collectDefaultMetrics({ register: this.registry, labels: { node: this.node } });
    this.#process = true;
    return this;
  }

  /** Counts every call `provider` answers, and keeps the rolling window. Returns what stops it. */
  observe(provider: Provider): () => void {
    return provider.observe((e: CallEvent) => {
      const { req, reply } = e;
      this.#provider.record(req.service, req.method, reply, e.durationMs / 1000);
      if (reply.error?.code !== 'METHOD_NOT_FOUND') this.window.record(req.service, req.method, e.durationMs, reply.error !== undefined);
    });
  }

  /** One call through the gateway's edge, once it has its reply. */
  edge(service: string, method: string, reply: CallReply, ms: number): void {
    this.#edge.record(service, method, reply, ms / 1000);
  }

  /** A retry proxy tries `req` again after an error `reason` (a code of the catalogue). */
  retry(req: CallRequest, reason: string): void {
    // Retried methods were found by describe, so their names are bounded.
    this.#retries.labels(req.service, req.method, reason).inc();
  }

  /** Where the queue series come from, read at each scrape. The last source set wins: a node has one list of queues. */
  queues(source: () => QueueStats[]): void {
    this.#queues = source;
  }

  /** The node's queues now, from the last source set: what its heartbeat reports to `management.queues`. */
  queueStats(): QueueStats[] {
    return this.#queues();
  }

  transports(source: () => Iterable<TransportGauge>): void {
    this.#transports = source;
  }

  /** The chain's `status()`: cache counters and circuits, read at each scrape. */
  proxies(source: () => ProxyStatus[]): void {
    this.#proxies = source;
  }

  summary(): WindowSummary {
    return this.window.summary();
  }

  /** The Prometheus text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The junction_queue_* series (names and labels unchanged since the first /metrics), read from `QueueStats` at scrape time. */
  #queueMetrics(): void {
    const series: [string, 'gauge' | 'counter', string, (q: QueueStats) => number][] = [
      ['junction_queue_in_flight', 'gauge', 'Calls running now.', (q) => q.inFlight],
      ['junction_queue_waiting', 'gauge', 'Calls waiting for a slot.', (q) => q.waiting],
      ['junction_queue_accepted_total', 'counter', 'Calls accepted.', (q) => q.accepted],
      ['junction_queue_rejected_total', 'counter', 'Calls refused because the queue was full.', (q) => q.rejected],
      ['junction_queue_expired_total', 'counter', 'Calls dropped unrun because their deadline passed while waiting.', (q) => q.expired],
      ['junction_queue_wait_seconds_total', 'counter', 'Time calls spent waiting for a slot, summed.', (q) => q.waitMsTotal / 1000],
      ['junction_queue_wait_seconds_max', 'gauge', 'Longest wait for a slot.', (q) => q.waitMsMax / 1000],
    ];
    const queues = () => this.#queues();
    const registers = [this.registry];
    for (const [name, type, help, value] of series) {
      if (type === 'gauge') {
        new Gauge({ name, help, labelNames: ['queue'], registers, collect() {
          this.reset();
          for (const q of queues()) this.set({ queue: q.name }, value(q));
        } });
      } else {
        new Counter({ name, help, labelNames: ['queue'], registers, collect() {
          this.reset();
          for (const q of queues()) this.inc({ queue: q.name }, value(q));
        } });
      }
    }
  }

  #transportMetrics(): void {
    const transports = () => this.#transports();
    new Gauge({
      name: 'junction_transport_up',
      help: 'Whether a transport can carry calls now (1) or not (0): connected to its broker or peers.',
      labelNames: ['transport', 'type'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const t of transports()) this.set({ transport: t.name, type: t.type }, t.ready() ? 1 : 0);
      },
    });
  }

  #proxyMetrics(): void {
    const registers = [this.registry];
    const caches = () => this.#proxies().filter((p): p is Extract<ProxyStatus, { type: 'cache' }> => p.type === 'cache');
    const circuits = () => this.#proxies().flatMap((p) => (p.type === 'circuit-breaker' ? p.circuits : []));
    type CacheStatus = Extract<ProxyStatus, { type: 'cache' }>;
    // Counter or gauge, one series per cache backend, read from the proxies' status at each scrape.
    const perCache = (Metric: typeof Counter | typeof Gauge, name: string, help: string, value: (c: CacheStatus) => number | undefined) =>
      new Metric({
        name,
        help,
        labelNames: ['backend'],
        registers,
        collect(this: Counter<'backend'> | Gauge<'backend'>) {
          this.reset();
          for (const c of caches()) {
            const v = value(c);
            if (v === undefined) continue;
            if (this instanceof Gauge) this.set({ backend: c.backend }, v);
            else this.inc({ backend: c.backend }, v);
          }
        },
      });
    const cacheCounter = (name: string, help: string, value: (c: CacheStatus) => number | undefined) => perCache(Counter, name, help, value);
    const cacheGauge = (name: string, help: string, value: (c: CacheStatus) => number | undefined) => perCache(Gauge, name, help, value);
    cacheCounter('junction_cache_hits_total', 'Calls answered from the cache.', (c) => c.hits);
    cacheCounter('junction_cache_misses_total', 'Cacheable calls not found in the cache, and made.', (c) => c.misses);
    cacheCounter('junction_cache_shared_total', 'Calls that waited for an identical call already being made (single flight).', (c) => c.shared);
    cacheGauge('junction_cache_available', 'Whether the cache backend answers (1) or every lookup is a miss (0, Redis down).', (c) => (c.available ? 1 : 0));
    cacheGauge('junction_cache_entries', 'Entries held (memory backend).', (c) => c.entries);
    cacheGauge('junction_cache_bytes', 'Bytes of keys and values held (memory backend).', (c) => c.bytes);
    new Gauge({
      name: 'junction_circuit_state',
      help: 'The state of each circuit (service@target): 1 for the state it is in, 0 for the others.',
      labelNames: ['circuit', 'state'],
      registers,
      collect() {
        this.reset();
        for (const c of circuits()) for (const s of CIRCUIT_STATES) this.set({ circuit: c.key, state: s }, c.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'junction_circuit_window_calls',
      help: "Replies counted in the circuit's current window.",
      labelNames: ['circuit'],
      registers,
      collect() {
        this.reset();
        for (const c of circuits()) this.set({ circuit: c.key }, c.calls);
      },
    });
    new Gauge({
      name: 'junction_circuit_window_failures',
      help: "Failures (UNAVAILABLE, TIMEOUT, OVERLOADED) among the replies of the circuit's current window.",
      labelNames: ['circuit'],
      registers,
      collect() {
        this.reset();
        for (const c of circuits()) this.set({ circuit: c.key }, c.failures);
      },
    });
  }
}
