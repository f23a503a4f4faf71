import { type ValidateFunction } from 'ajv';
import { type ConcurrencyConfig, type ConcurrencyModule, createConcurrency, DEFAULT_CONCURRENCY, type Job } from '../concurrency';
import { type GuestTask } from '../concurrency/isolated/protocol';
import { type Infrastructure } from '../context';
import { type CallReply, type CallRequest } from '../envelope';
import { JunctionError, isJunctionError, type WireError, errors } from '../errors';
import { type Db } from '../infrastructure';
import { type Logger, type LogLevel, ServiceLoggers, silentLogger } from '../logging';
import { type Handler } from '../proxies/proxy';
import { accessRefusal } from './access';
import { checkService, compileReviver, type MethodDefinition, type Reviver, type ServiceDefinition, toWireValue } from '../service';
import { CallContext } from './call-context';
import { CallDeadline } from './call-deadline';
import { redactError } from '../tracing/redact';
import { type ArgsPolicy } from '../tracing/span';
import { argsPolicy, beginCallTrace, type CallTrace, endHandlerSpan, handlerTrace } from './call-trace';
import { infrastructureFor } from './infrastructure';
import { describeProblems, invalidParams, compileSchema, typeOf } from './schemas';
import { type ServiceDescription, describeService } from './describe';
import { readViews, type ViewSources } from './views';

/**
 * Every hosted service answers `<service>.$describe` with its own description (no method may be
 * so named). It reaches a worker that hosts the service, where `system.describe` reaches any
 * worker: how a node learns the services of a cluster whose workers host different ones.
 */
export const DESCRIBE_METHOD = '$describe';

export interface ProviderOptions {
  log?: Logger;
  /** Shared facilities by name, handed to the services that `require` them. */
  infrastructure?: { db?: Db };
  /** Put a debug message and stack in INTERNAL errors' data. Never in production. */
  debug?: boolean;
  /** Check each result against its schema (a wrong shape becomes INTERNAL). Default true. */
  validateResults?: boolean;
  /** A method's time limit when neither it nor its service config sets one. */
  defaultTimeoutMs?: number;
  /** This node's name, bound into the log lines of threads and child processes. */
  node?: string;
}

/** One answered call, as observers see it. */
export interface CallEvent {
  readonly req: CallRequest;
  readonly reply: CallReply;
  /** Epoch ms when the provider took the call. */
  readonly startedAt: number;
  /** From taking the call to having its reply: queue wait, handler and checks. */
  readonly durationMs: number;
  /** The call's provider and handler spans, for observers that asked for them and sampled calls. */
  readonly trace?: CallTrace;
}

export type CallObserver = (event: CallEvent) => void;

export interface RegisterOptions {
  concurrency?: ConcurrencyConfig;
  /** The service's read-only settings, its `ctx.infra.config`. */
  settings?: Record<string, unknown>;
  /** Overrides the methods' own `timeoutMs`, where the service's config sets one. */
  timeoutMs?: number;
  /**
   * Absolute path of the module that exports the service as `service`: the `threads` and
   * `processes` modules load it in their threads and children. Services loaded from config have it.
   */
  module?: string;
}

interface HostedMethod {
  readonly full: string;
  readonly service: string;
  readonly name: string;
  readonly def: MethodDefinition;
  readonly paramNames: readonly string[];
  /** How a span of a call keeps its args: made once here, not per call. */
  readonly argsPolicy: ArgsPolicy;
  readonly validateParams: ValidateFunction;
  /** After validation: `Date`s and `Uint8Array`s where the params schema declares them (the identity where it declares none). */
  readonly reviveArgs: Reviver;
  readonly validateResult: ValidateFunction;
  readonly timeoutMs: number;
  readonly concurrency: ConcurrencyModule;
  readonly infra: Infrastructure;
  /** The service's logger: its level can change at runtime (`setLogLevel`). */
  readonly log: Logger;
}

interface HostedService {
  readonly def: ServiceDefinition;
  readonly methods: Map<string, HostedMethod>;
  readonly concurrency: ConcurrencyModule;
  readonly views: ViewSources;
}

/**
 * The container that hosts services: validates args, applies each method's flags, runs the
 * handler under the service's concurrency module, and answers with a result or a typed error.
 */
export class Provider {
  readonly #services = new Map<string, HostedService>();
  #observers: readonly CallObserver[] = [];
  /** An observer asked for spans (`observe(fn, { trace: true })`). */
  #traced = false;
  readonly #log: Logger;
  readonly #loggers: ServiceLoggers;
  readonly #opts: ProviderOptions;
  #outbound: Handler = async (req) => ({ id: req.id, error: errors.unavailable(`${req.service}.${req.method}`, 'this provider is not connected to a proxy chain for ctx.call').toWire() });

  constructor(opts: ProviderOptions = {}) {
    this.#opts = opts;
    this.#log = opts.log ?? silentLogger();
    this.#loggers = new ServiceLoggers(this.#log);
  }

  /** Where `ctx.call` goes: the node's proxy chain. */
  connect(outbound: Handler): void {
    this.#outbound = outbound;
  }

  register(def: ServiceDefinition, opts: RegisterOptions = {}): this {
    const problems = checkService(def);
    if (problems.length === 0 && this.#services.has(def.name)) problems.push(`service "${def.name}" is already registered with this provider`);
    const views = problems.length === 0 ? readViews(def) : { sources: {}, problems: [] };
    problems.push(...views.problems);
    if (problems.length > 0) throw new Error(`cannot register ${describeName(def)}:\n  - ${problems.join('\n  - ')}`);
    const db = def.requires.includes('db') ? this.#opts.infrastructure?.db : undefined;
    const infra = infrastructureFor(def, { db: () => db, settings: opts.settings });
    const log = this.#loggers.for(def.name);
    const concurrency = createConcurrency(opts.concurrency ?? DEFAULT_CONCURRENCY, `provider queue of ${def.name}`, {
      service: def.name,
      module: opts.module,
      // Read at each call: connect() may come after register().
      outbound: (req) => this.#outbound(req),
      db,
      log,
      settings: opts.settings ?? {},
      available: def.requires.filter((r) => r !== 'db' || db !== undefined),
      node: this.#opts.node,
    });
    const methods = new Map<string, HostedMethod>();
    for (const [name, m] of Object.entries(def.methods)) {
      const full = `${def.name}.${name}`;
      methods.set(name, {
        full,
        service: def.name,
        name,
        def: m,
        paramNames: Object.keys(m.params.properties),
        argsPolicy: argsPolicy(m, Object.keys(m.params.properties)),
        validateParams: compileSchema(m.params, `${full} params`),
        reviveArgs: compileReviver(m.params),
        validateResult: compileSchema(m.result, `${full} result`),
        timeoutMs: m.timeoutMs ?? opts.timeoutMs ?? this.#opts.defaultTimeoutMs ?? 30_000,
        concurrency,
        infra,
        log,
      });
    }
    this.#services.set(def.name, { def, methods, concurrency, views: views.sources });
    return this;
  }

  has(service: string): boolean {
    return this.#services.has(service);
  }

  services(): string[] {
    return [...this.#services.keys()];
  }

  describe(): ServiceDescription[] {
    return [...this.#services.values()].map((s) => describeService(s.def));
  }

  /** The service's templates by path in its views folder, as read at registration; `{}` when it has none. */
  views(service: string): ViewSources {
    const s = this.#services.get(service);
    if (s === undefined) throw errors.methodNotFound(service);
    return s.views;
  }

  /** How many calls of the service run at once (its concurrency module's bound); undefined for a service not hosted here. */
  capacity(service: string): number | undefined {
    return this.#services.get(service)?.concurrency.stats().maxInFlight;
  }

  /**
   * Sets a hosted service's log level, at once, for its next calls wherever they run (threads and
   * child processes get it with each task); `undefined` puts it back to the node's level.
   */
  setLogLevel(service: string, level: LogLevel | undefined): void {
    if (!this.#services.has(service)) throw errors.methodNotFound(service);
    this.#loggers.setLevel(service, level);
  }

  /** Each hosted service's log level. */
  logLevels(): Record<string, LogLevel> {
    const all = this.#loggers.levels();
    return Object.fromEntries(this.services().map((s) => [s, all[s] ?? this.#loggers.defaultLevel]));
  }

  queues() {
    return [...this.#services.values()].map((s) => s.concurrency.stats());
  }

  /** Answers one request. Never throws: every failure is a typed error reply. */
  async handle(req: CallRequest): Promise<CallReply> {
    if (this.#observers.length === 0) return this.#answer(req);
    const startedAt = Date.now();
    const started = performance.now();
    const trace = this.#traced ? beginCallTrace(req.meta) : undefined;
    const reply = await this.#answer(req, trace);
    const event: CallEvent = { req, reply, startedAt, durationMs: performance.now() - started, trace };
    // Off the reply's path: observers (metrics, tracing) see the call after its caller has the reply.
    // One setImmediate for every call answered in a turn of the event loop: one per call cost
    // about 2.5 µs a call, a few % of an embedded call.
    if (this.#pending.push(event) === 1) setImmediate(this.#flush);
    return reply;
  }

  /**
   * Calls `observer` with every call this provider answers, after the reply has gone: the hook
   * metrics and tracing hang on. Returns the function that removes it. An observer that throws is
   * logged and kept.
   */
  observe(observer: CallObserver, opts: { trace?: boolean } = {}): () => void {
    this.#observers = [...this.#observers, observer];
    // Span ids are made only when someone will read them: a boolean check per call otherwise.
    if (opts.trace === true) this.#traced = true;
    return () => {
      this.#observers = this.#observers.filter((o) => o !== observer);
    };
  }

  // One async layer for the whole call, lookup to result: each layer more cost a promise and a
  // microtask on every call.
  async #answer(req: CallRequest, trace?: CallTrace): Promise<CallReply> {
    try {
      if (req.method === DESCRIBE_METHOD) return { id: req.id, result: this.#describeOne(req.service) };
      const m = this.#lookup(req.service, req.method);
      if (trace !== undefined) {
        trace.policy = m.argsPolicy;
        trace.name = m.full;
      }
      checkAccess(m, req);
      if (req.meta.redelivered && !(m.def.idempotent || m.def.safe)) {
        // It may have run already on a worker that died before replying: running it again could
        // do its effect twice. The caller gets a clear error instead, and can decide.
        throw new JunctionError('UNAVAILABLE', `${m.full} (request ${req.id}) was redelivered after the worker holding it stopped; it is not idempotent, so it was not run again and may or may not have taken effect`, { redelivered: true });
      }
      const args = this.#args(m, req.args);
      const now = Date.now();
      const at = Math.min(req.meta.deadline ?? Infinity, now + m.timeoutMs);
      if (at <= now) throw errors.timeout(`${m.full} (request ${req.id})`, at);
      const deadline = new CallDeadline(at, () => `${m.full} (request ${req.id})`);
      const runAt = trace === undefined ? 0 : now;
      try {
        const value = await m.concurrency.run(new ProviderJob(m, args, req, deadline, at, trace, this.#outbound));
        // Ended here rather than by a then() on the handler's promise: one promise a call less.
        if (trace !== undefined) endHandlerSpan(trace, runAt);
        return { id: req.id, result: this.#result(m, value, req) };
      } finally {
        deadline.clear();
        if (trace !== undefined) endHandlerSpan(trace, runAt);
      }
    } catch (err) {
      return { id: req.id, error: this.#toWire(err, req) };
    }
  }

  #pending: CallEvent[] = [];
  readonly #flush = (): void => {
    const events = this.#pending;
    this.#pending = [];
    for (const event of events) this.#notify(event);
  };

  #notify(event: CallEvent): void {
    for (const observer of this.#observers) {
      try {
        observer(event);
      } catch (err) {
        this.#log.error({ err }, 'a call observer failed; the call itself was answered');
      }
    }
  }

  /** Waits for every accepted call to finish (a worker's drain). */
  async drain(): Promise<void> {
    await Promise.all([...this.#services.values()].map((s) => s.concurrency.drain()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#services.values()].map((s) => s.concurrency.close()));
  }

  /** The handler's value, wherever it ran, as the caller will read it, checked against the result schema. */
  #result(m: HostedMethod, raw: unknown, req: CallRequest): unknown {
    // Wire form before validation, so a Date checks against `format: date-time` as the caller will read it.
    const value = toWireValue(raw === undefined ? null : raw);
    if (this.#opts.validateResults !== false && !m.validateResult(value)) {
      const problems = describeProblems(m.validateResult.errors ?? [], value);
      this.#log.error({ service: m.service, method: m.name, requestId: req.id, problems }, 'handler returned a value that does not match its result schema');
      throw new JunctionError('INTERNAL', `${m.full} returned a result that does not match its schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    }
    return value;
  }

  #describeOne(service: string): ServiceDescription {
    const s = this.#services.get(service);
    if (s === undefined) throw errors.methodNotFound(service);
    return describeService(s.def);
  }

  #lookup(service: string, method: string): HostedMethod {
    const s = this.#services.get(service);
    if (s === undefined) throw errors.methodNotFound(service);
    const m = s.methods.get(method);
    if (m === undefined) throw errors.methodNotFound(service, method);
    return m;
  }

  #args(m: HostedMethod, raw: unknown): Record<string, unknown> {
    let args: Record<string, unknown>;
    if (Array.isArray(raw)) {
      args = positional(m, raw);
    } else if (typeof raw === 'object' && raw !== null) {
      args = { ...(raw as Record<string, unknown>) };
    } else if (raw === undefined) {
      args = {};
    } else {
      throw new JunctionError('INVALID_PARAMS', `${m.full}: params must be an object (by name) or an array (by position), got ${typeOf(raw)}`);
    }
    if (!m.validateParams(args)) throw invalidParams(m.full, describeProblems(m.validateParams.errors ?? [], args), m.paramNames);
    return m.reviveArgs(args) as Record<string, unknown>;
  }

  #toWire(err: unknown, req: CallRequest): WireError {
    if (isJunctionError(err)) return err.toWire();
    // What a handler wrote about its args in the error (a sensitive one too) must not reach the log.
    const policy = this.#services.get(req.service)?.methods.get(req.method)?.argsPolicy;
    const logged = policy === undefined ? err : redactError(err, req.args, policy);
    this.#log.error({ err: logged, service: req.service, method: req.method, requestId: req.id }, 'unexpected error in handler');
    const wire: WireError = { code: 'INTERNAL', message: `internal error in ${req.service}.${req.method} (request ${req.id}); the service's log has the details`, retryable: false };
    if (this.#opts.debug) wire.data = { message: (err as Error)?.message, stack: (err as Error)?.stack };
    return wire;
  }
}

/** Runs the handler here, on this event loop (the `inline` module's way), racing its deadline. */
function execute(job: ProviderJob): Promise<unknown> {
  const { m, args, req, signal: deadline, trace } = job;
  const ctx = new CallContext(m, req, deadline, m.log, job.outbound, trace === undefined ? undefined : handlerTrace(trace));
  const late = () => ctx.log.warn('handler still running after its deadline; its result was dropped');
  if (trace !== undefined) {
    // Its end: endHandlerSpan, when the provider has the result.
    trace.handlerStartedAt = Date.now();
    trace.handlerClock = performance.now();
  }
  return deadline.race(runHandler(m, args, ctx), late);
}

/** The handler's promise: a throw before its first await rejects it, as from an async handler. */
function runHandler(m: HostedMethod, args: Record<string, unknown>, ctx: CallContext): Promise<unknown> {
  try {
    return Promise.resolve(m.def.handler(args, ctx));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * One call as a concurrency module gets it. Its `task` (the call as data, for threads and child
 * processes) is made only when a module reads it: `inline`, the default, never does.
 */
class ProviderJob implements Job {
  readonly service: string;
  readonly method: string;
  #task: GuestTask | undefined;

  constructor(
    readonly m: HostedMethod,
    readonly args: Record<string, unknown>,
    readonly req: CallRequest,
    readonly signal: CallDeadline,
    readonly at: number,
    readonly trace: CallTrace | undefined,
    readonly outbound: Handler,
  ) {
    this.service = m.service;
    this.method = m.name;
  }

  // Bound: a module hands it on as a task of its queue.
  readonly execute = (): Promise<unknown> => execute(this);

  get task(): GuestTask {
    const { m, args, req, at, trace } = this;
    this.#task ??= { method: m.name, args, request: { id: req.id, meta: req.meta }, deadline: at, logLevel: m.log.level, ...(trace === undefined ? {} : { trace: handlerTrace(trace) }) };
    return this.#task;
  }
}

function describeName(def: unknown): string {
  const name = (def as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `service "${name}"` : 'a service';
}

function positional(m: HostedMethod, raw: unknown[]): Record<string, unknown> {
  const names = m.paramNames;
  if (raw.length > names.length && !m.def.variadic) {
    throw new JunctionError('INVALID_PARAMS', `${m.full} takes ${names.length} param(s) (${names.join(', ')}), got ${raw.length}`, {
      problems: [{ path: '/', message: `too many positional params`, actual: `array of ${raw.length}`, schemaPath: '#' }],
    });
  }
  const args: Record<string, unknown> = {};
  const fixed = m.def.variadic ? names.length - 1 : names.length;
  for (let i = 0; i < Math.min(fixed, raw.length); i++) args[names[i]] = raw[i];
  if (m.def.variadic) args[names[names.length - 1]] = raw.slice(fixed);
  return args;
}

function checkAccess(m: HostedMethod, req: CallRequest): void {
  const refusal = accessRefusal(m.full, m.def.access, req.meta.caller);
  if (refusal !== undefined) throw refusal;
}
