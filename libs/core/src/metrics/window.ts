/** One method's last minute, as `system.metrics` reports it. */
export interface MethodSummary {
  /** `service.method`. */
  method: string;
  /** Calls answered in the window, errors included. */
  calls: number;
  /** `calls` divided by the seconds the window covers. */
  perSecond: number;
  /** Calls answered with an error, whatever its code. */
  errors: number;
  /** Latency quantiles in ms, within about 10% (the middle of a log-scale bucket); 0 when there were no calls. */
  p50Ms: number;
  p99Ms: number;
}

export interface WindowSummary {
  /** How many seconds the figures cover: 60, or less while the window is younger than a minute. */
  seconds: number;
  methods: MethodSummary[];
}

const SECONDS = 60;
// Latency buckets on a log scale: 4 per doubling from 10 µs, 100 of them (up to about 5.6
// minutes). A quantile read from a bucket is within about 10% of the truth, in fixed memory:
// 60 × 100 counters per method, whatever the call rate.
const MIN_MS = 0.01;
const PER_DOUBLING = 4;
const BUCKETS = 100;

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log2(ms / MIN_MS) * PER_DOUBLING));
}

/** The geometric middle of a bucket: the estimate least wrong, in ratio, for any value in it. */
function middleOf(bucket: number): number {
  return MIN_MS * 2 ** ((bucket + 0.5) / PER_DOUBLING);
}

/** One method's sixty one-second slots, reused in a ring: nothing is allocated per call. */
class MethodSeries {
  readonly name: string;
  readonly #second = new Float64Array(SECONDS).fill(-1);
  readonly #calls = new Uint32Array(SECONDS);
  readonly #errors = new Uint32Array(SECONDS);
  readonly #latency = new Uint32Array(SECONDS * BUCKETS);

  constructor(name: string) {
    this.name = name;
  }

  record(second: number, ms: number, failed: boolean): void {
    const slot = second % SECONDS;
    if (this.#second[slot] !== second) {
      // The slot still holds a second more than a minute old: start it afresh.
      this.#second[slot] = second;
      this.#calls[slot] = 0;
      this.#errors[slot] = 0;
      this.#latency.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    }
    this.#calls[slot]++;
    if (failed) this.#errors[slot]++;
    this.#latency[slot * BUCKETS + bucketOf(ms)]++;
  }

  /** The window's sums: calls, errors and the latency histogram (its non-empty buckets). */
  digest(second: number): MethodDigest | undefined {
    let calls = 0;
    let errors = 0;
    const latency = new Uint32Array(BUCKETS);
    for (let slot = 0; slot < SECONDS; slot++) {
      const s = this.#second[slot];
      if (s < 0 || s > second || s <= second - SECONDS) continue;
      calls += this.#calls[slot];
      errors += this.#errors[slot];
      for (let b = 0; b < BUCKETS; b++) latency[b] += this.#latency[slot * BUCKETS + b];
    }
    if (calls === 0) return undefined;
    const buckets: [number, number][] = [];
    for (let b = 0; b < BUCKETS; b++) if (latency[b] > 0) buckets.push([b, latency[b]]);
    return { method: this.name, calls, errors, buckets };
  }
}

function quantile(latency: Uint32Array, count: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += latency[b];
    if (seen >= rank) return Number(middleOf(b).toPrecision(3));
  }
  return Number(middleOf(BUCKETS - 1).toPrecision(3));
}

/** One method's last minute as sums: what a node's heartbeat carries, and what adds up across nodes. */
export interface MethodDigest {
  /** `service.method`. */
  method: string;
  calls: number;
  errors: number;
  /** `[bucket, calls]` of the latency histogram (log scale, 4 buckets per doubling from 10 µs), empty buckets left out. */
  buckets: [number, number][];
}

/** A node's last minute as sums (CallWindow.digest). */
export interface WindowDigest {
  seconds: number;
  methods: MethodDigest[];
}

/**
 * The summary of one or more nodes' windows: calls, errors and histograms added per method, so
 * that p50 and p99 are those of all the calls (not an average of each node's), and req/s the sum
 * of each node's rate over its own window.
 */
export function summarizeDigests(digests: readonly WindowDigest[]): WindowSummary {
  const merged = new Map<string, { calls: number; errors: number; perSecond: number; latency: Uint32Array }>();
  for (const d of digests) {
    for (const m of d.methods) {
      let into = merged.get(m.method);
      if (into === undefined) merged.set(m.method, (into = { calls: 0, errors: 0, perSecond: 0, latency: new Uint32Array(BUCKETS) }));
      into.calls += m.calls;
      into.errors += m.errors;
      into.perSecond += m.calls / d.seconds;
      for (const [b, n] of m.buckets) into.latency[b] += n;
    }
  }
  const methods: MethodSummary[] = [...merged].map(([method, m]) => ({
    method,
    calls: m.calls,
    perSecond: m.perSecond,
    errors: m.errors,
    p50Ms: quantile(m.latency, m.calls, 0.5),
    p99Ms: quantile(m.latency, m.calls, 0.99),
  }));
  methods.sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
  return { seconds: Math.max(0, ...digests.map((d) => d.seconds)), methods };
}

/** A digest from a stranger (a heartbeat), or undefined when it is not one: every bucket in range, every count a whole number. */
export function parseDigest(value: unknown): WindowDigest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seconds, methods } = value as { seconds?: unknown; methods?: unknown };
  if (typeof seconds !== 'number' || !(seconds >= 1 && seconds <= SECONDS) || !Array.isArray(methods)) return undefined;
  const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  for (const m of methods as unknown[]) {
    if (typeof m !== 'object' || m === null) return undefined;
    const { method, calls, errors, buckets } = m as Record<string, unknown>;
    if (typeof method !== 'string' || !count(calls) || !count(errors) || !Array.isArray(buckets)) return undefined;
    if (!buckets.every((b) => Array.isArray(b) && b.length === 2 && count(b[0]) && b[0] < BUCKETS && count(b[1]))) return undefined;
  }
  return { seconds, methods: methods as MethodDigest[] };
}

/**
 * A rolling minute of calls per method, for `system.metrics`: counts, errors and latency in
 * one-second slots, read as req/s, p50 and p99. Memory is fixed per method (about 24 KB), so
 * callers must pass only names that are bounded (hosted methods, not whatever a client sent).
 *
 * @example
 * const w = new CallWindow();
 * w.record('calc', 'subtract', 1.8, false);
 * w.summary().methods; // [{ method: 'calc.subtract', calls: 1, perSecond: 1, errors: 0, p50Ms: 1.84, p99Ms: 1.84 }]
 */
export class CallWindow {
  readonly #series = new Map<string, Map<string, MethodSeries>>();
  readonly #now: () => number;
  readonly #since: number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#since = Math.floor(now() / 1000);
  }

  record(service: string, method: string, ms: number, failed: boolean): void {
    // Nested maps: looking up `service` then `method` builds no `service.method` string per call.
    let methods = this.#series.get(service);
    if (methods === undefined) this.#series.set(service, (methods = new Map()));
    let series = methods.get(method);
    if (series === undefined) methods.set(method, (series = new MethodSeries(`${service}.${method}`)));
    series.record(Math.floor(this.#now() / 1000), ms, failed);
  }

  /** Every method called in the last minute, by name. */
  summary(): WindowSummary {
    return summarizeDigests([this.digest()]);
  }

  /** The last minute as sums, for a heartbeat: what summarizeDigests adds up across nodes. */
  digest(): WindowDigest {
    const second = Math.floor(this.#now() / 1000);
    const seconds = Math.max(1, Math.min(SECONDS, second - this.#since + 1));
    const methods: MethodDigest[] = [];
    for (const byMethod of this.#series.values()) {
      for (const series of byMethod.values()) {
        const d = series.digest(second);
        if (d !== undefined) methods.push(d);
      }
    }
    return { seconds, methods };
  }
}
