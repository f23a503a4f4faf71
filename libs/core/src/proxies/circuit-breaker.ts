import { type CircuitBreakerProxyConfig } from '../config/schema';
import { type CallReply, type CallRequest } from '../envelope';
import { JunctionError } from '../errors';
import { type CircuitStatus, type Link, type LinkDeps } from './proxy';

// The target did not answer (or could not take the call): the errors a failing target gives.
// Anything else, METHOD_NOT_FOUND or a handler's SERVICE_ERROR included, is an answer.
const FAILURES = new Set(['UNAVAILABLE', 'TIMEOUT', 'OVERLOADED']);
const BUCKETS = 10;

interface Bucket {
  /** Which slice of time (`now / width`) it counts; a stale one is reset before use. */
  slice: number;
  calls: number;
  failures: number;
}

/**
 * One circuit: closed (counting replies over a sliding window of BUCKETS slices), open (refusing
 * for `openMs`), half-open (letting `halfOpenProbes` calls through; as many successes close it,
 * one failure opens it again). A reply counts only for the generation it was let through in, so a
 * slow reply from before the circuit opened neither reopens nor closes it.
 */
class Circuit {
  state: CircuitStatus['state'] = 'closed';
  generation = 0;
  openedAt = 0;
  probes = 0;
  successes = 0;
  readonly buckets: Bucket[] = Array.from({ length: BUCKETS }, () => ({ slice: -1, calls: 0, failures: 0 }));

  constructor(
    readonly key: string,
    readonly config: CircuitBreakerProxyConfig,
  ) {}

  /** The generation the call belongs to, or undefined when it must be refused. */
  admit(now: number): number | undefined {
    if (this.state === 'open') {
      if (now - this.openedAt < this.config.openMs) return undefined;
      this.state = 'half-open';
      this.generation++;
      this.probes = 0;
      this.successes = 0;
    }
    if (this.state === 'half-open') {
      if (this.probes >= this.config.halfOpenProbes) return undefined;
      this.probes++;
    }
    return this.generation;
  }

  record(generation: number, failed: boolean, now: number): void {
    if (generation !== this.generation) return;
    if (this.state === 'half-open') {
      if (failed) return this.#open(now);
      if (++this.successes >= this.config.halfOpenProbes) this.#close();
      return;
    }
    if (this.state !== 'closed') return;
    const bucket = this.#bucket(now);
    bucket.calls++;
    if (failed) bucket.failures++;
    const { calls, failures } = this.totals(now);
    if (calls >= this.config.minCalls && failures / calls >= this.config.failureRatio) this.#open(now);
  }

  totals(now: number): { calls: number; failures: number } {
    const width = this.config.windowMs / BUCKETS;
    const current = Math.floor(now / width);
    let calls = 0;
    let failures = 0;
    for (const b of this.buckets) {
      if (b.slice > current - BUCKETS) {
        calls += b.calls;
        failures += b.failures;
      }
    }
    return { calls, failures };
  }

  retryAfterMs(now: number): number {
    return Math.max(1, this.openedAt + this.config.openMs - now);
  }

  #bucket(now: number): Bucket {
    const slice = Math.floor(now / (this.config.windowMs / BUCKETS));
    const bucket = this.buckets[slice % BUCKETS];
    if (bucket.slice !== slice) Object.assign(bucket, { slice, calls: 0, failures: 0 });
    return bucket;
  }

  #open(now: number): void {
    this.state = 'open';
    this.openedAt = now;
    this.generation++;
  }

  #close(): void {
    this.state = 'closed';
    this.generation++;
    for (const b of this.buckets) Object.assign(b, { slice: -1, calls: 0, failures: 0 });
  }
}

/**
 * Per route target and service (`render@remote:rabbit`): a transport carries many services, and
 * one service without workers must not cut the others off. While a circuit is open, calls are
 * answered UNAVAILABLE at once, with `data.circuit` (which the retry proxy takes as final) and
 * `data.retryAfterMs`, instead of waiting on a target that is down. Its state is observable: `status()` of the compiled chain,
 * `proxies` in `system.health`.
 */
export function createCircuitBreaker(config: CircuitBreakerProxyConfig, deps: Pick<LinkDeps, 'clock' | 'target' | 'observe' | 'log'>): Link {
  const circuits = new Map<string, Circuit>();
  const { clock } = deps;

  deps.observe(() => {
    const now = clock.now();
    return {
      type: 'circuit-breaker',
      circuits: [...circuits.values()].map((c) => ({ key: c.key, state: c.state, ...c.totals(now), ...(c.state === 'closed' ? {} : { openedAt: c.openedAt }) })),
    };
  });

  const refuse = (req: CallRequest, c: Circuit, now: number): CallReply => {
    const retryAfterMs = c.retryAfterMs(now);
    const why = c.state === 'open' ? `a probe goes through in ${retryAfterMs} ms` : 'a probe is under way';
    const message = `circuit open for ${c.key}: too many of its recent calls failed (UNAVAILABLE, TIMEOUT or OVERLOADED); ${why}`;
    return { id: req.id, error: new JunctionError('UNAVAILABLE', message, { circuit: c.state, key: c.key, retryAfterMs }).toWire() };
  };

  return (next) => async (req) => {
    const key = `${req.service}@${deps.target(req)}`;
    let c = circuits.get(key);
    if (c === undefined) {
      c = new Circuit(key, config);
      circuits.set(key, c);
    }
    const before = c.state;
    const generation = c.admit(clock.now());
    if (generation === undefined) return refuse(req, c, clock.now());
    const reply = await next(req);
    c.record(generation, reply.error !== undefined && FAILURES.has(reply.error.code), clock.now());
    if (c.state === 'open' && before === 'closed') deps.log.warn({ circuit: c.key }, `circuit ${c.key} opened: calls to it are refused for ${config.openMs} ms, then probed`);
    else if (c.state === 'closed' && before !== 'closed') deps.log.info({ circuit: c.key }, `circuit ${c.key} closed again: its probe succeeded`);
    return reply;
  };
}
