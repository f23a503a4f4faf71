import { type ServiceCatalog } from './catalog';
import { type ProxyConfigEntry } from '../config/schema';
import { type CallReply, type CallRequest } from '../envelope';
import { type Logger } from '../logging';
import { type MethodDescription } from '../provider/describe';
import { type Provider } from '../provider/provider';
import { type Tracer } from '../tracing/tracer';

/** One proxy of a chain as config gives it (a member of the `proxy` union of the schema). */
export type ProxyConfig = ProxyConfigEntry;

/** Takes a request, returns its reply. Never throws: failures are error replies. */
export type Handler = (req: CallRequest) => Promise<CallReply>;

/** A link of a proxy chain: wraps the rest of the chain. Applied once, when the chain is compiled. */
export type Link = (next: Handler) => Handler;

/** Time as proxies see it; tests hand over a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What the caller of `compileChain` hands over. */
export interface ProxyDeps {
  /** The provider of this process, for the `local` terminal. */
  provider?: Provider;
  /** Clients of the configured transports by name, for the `remote` terminal. */
  transports: ReadonlyMap<string, { call: Handler }>;
  log: Logger;
  /** Real time when absent. */
  clock?: Clock;
  /** Numbers in [0, 1) for jitter; Math.random when absent. */
  random?: () => number;
  /** Where links count what the chain's `status()` cannot show (retries); nothing is counted when absent. */
  metrics?: ProxyMetrics;
  /** This process's tracer, when tracing is on: the remote terminal, cache and retry record spans. */
  tracer?: Tracer;
}

/** Counters that links increment where things happen (the node's metrics implement it). */
export interface ProxyMetrics {
  /** The retry proxy is about to try `req` again after an error with code `reason`. */
  retry(req: CallRequest, reason: string): void;
}

/** The circuits of a breaker, as `system.health` and metrics read them. */
export interface CircuitStatus {
  /** `service@target`, e.g. `render@remote:rabbit`. */
  key: string;
  state: 'closed' | 'open' | 'half-open';
  /** Replies counted in the current window, and how many of them failed. */
  calls: number;
  failures: number;
  /** Epoch ms the circuit last opened, while it is open or half-open. */
  openedAt?: number;
}

/** What a link with state of its own reports (`chain.status()`, `system.health`'s `proxies`). */
export type ProxyStatus =
  | { type: 'circuit-breaker'; circuits: CircuitStatus[] }
  | { type: 'cache'; backend: 'memory' | 'redis'; available: boolean; hits: number; misses: number; shared: number; entries?: number; bytes?: number };

/** What every proxy gets from `compileChain`, terminals included. */
export interface ChainDeps extends ProxyDeps {
  clock: Clock;
  random: () => number;
  /** Registers what the chain's `close()` releases (a Redis connection). */
  onClose(close: () => Promise<void>): void;
  /** Registers a link's observable state for the chain's `status()`. */
  observe(status: () => ProxyStatus): void;
}

/**
 * A method's description as far as the chain can learn it (from `system.describe`, through the
 * chain's terminal). Undefined when it cannot: describe failed, or does not list the method, or
 * the call is to `system` itself. Links that need flags then step aside.
 *
 * The answer itself while the last describe is fresh (nearly every call), a promise only when
 * describe must be asked: three links look a method up on every call, and a promise and a
 * microtask each time cost more than the lookup. `withMethod` takes either.
 */
export type MethodLookup = (req: CallRequest) => MethodDescription | undefined | Promise<MethodDescription | undefined>;

/**
 * `then(method)`, at once when the lookup's answer is known, once it is when it is a promise.
 *
 * @example
 * return (next) => (req) => withMethod(deps.methods(req), (method) => (method?.cache === undefined ? next(req) : cached(req, method, next)));
 */
export function withMethod<T>(found: ReturnType<MethodLookup>, then: (method: MethodDescription | undefined) => Promise<T>): Promise<T> {
  return found instanceof Promise ? found.then(then) : then(found);
}

/** What links get besides ChainDeps; made from the chain's terminal. */
export interface LinkDeps extends ChainDeps {
  methods: MethodLookup;
  /** Names the route target a request goes to, e.g. `remote:rabbit`, for state kept per target. */
  target(req: CallRequest): string;
}

/** A terminal: sends a request somewhere, and can name where. */
export interface Terminal {
  call: Handler;
  target(req: CallRequest): string;
}

export type ProxyFactory =
  | { kind: 'link'; create(config: ProxyConfig, deps: LinkDeps): Link }
  | { kind: 'terminal'; create(config: ProxyConfig, deps: ChainDeps): Terminal };

/** A compiled chain: a handler, with the state of its links and a close for what they hold. */
export interface CompiledChain extends Handler {
  status(): ProxyStatus[];
  /**
   * What the chain knows of the services behind it (system.describe through its terminal), which
   * its links read for method flags; the gateway's protocols read the same one rather than ask
   * describe again.
   */
  readonly catalog: ServiceCatalog;
  /** Releases connections the links opened (Redis). Never throws. */
  close(): Promise<void>;
}
