import { type ValidateFunction } from 'ajv';
import { type ConcurrencyConfig, type ConcurrencyModule, createConcurrency, DEFAULT_CONCURRENCY } from '../concurrency';
import { type Infrastructure } from '../context';
import { type CallReply, type CallRequest } from '../envelope';
import { JunctionError, isJunctionError, type WireError, errors } from '../errors';
import { createSettings, type Db } from '../infrastructure';
import { type Logger, silentLogger } from '../logging';
import { type Handler } from '../proxies/proxy';
import { checkService, type MethodDefinition, type ServiceDefinition } from '../service';
import { CallContext } from './call-context';
import { CallDeadline } from './call-deadline';
import { describeProblems, invalidParams, compileSchema, typeOf } from './schemas';
import { type ServiceDescription, describeService } from './describe';

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
}

export interface RegisterOptions {
  concurrency?: ConcurrencyConfig;
  /** The service's read-only settings, its `ctx.infra.config`. */
  settings?: Record<string, unknown>;
  /** Overrides the methods' own `timeoutMs`, where the service's config sets one. */
  timeoutMs?: number;
}

interface HostedMethod {
  readonly full: string;
  readonly service: string;
  readonly name: string;
  readonly def: MethodDefinition;
  readonly paramNames: readonly string[];
  readonly validateParams: ValidateFunction;
  readonly validateResult: ValidateFunction;
  readonly timeoutMs: number;
  readonly concurrency: ConcurrencyModule;
  readonly infra: Infrastructure;
}

interface HostedService {
  readonly def: ServiceDefinition;
  readonly methods: Map<string, HostedMethod>;
  readonly concurrency: ConcurrencyModule;
}

/**
 * The container that hosts services: validates args, applies each method's flags, runs the
 * handler under the service's concurrency module, and answers with a result or a typed error.
 */
export class Provider {
  readonly #services = new Map<string, HostedService>();
  readonly #log: Logger;
  readonly #opts: ProviderOptions;
  #outbound: Handler = async (req) => ({ id: req.id, error: errors.unavailable(`${req.service}.${req.method}`, 'this provider is not connected to a proxy chain for ctx.call').toWire() });

  constructor(opts: ProviderOptions = {}) {
    this.#opts = opts;
    this.#log = opts.log ?? silentLogger();
  }

  /** Where `ctx.call` goes: the node's proxy chain. */
  connect(outbound: Handler): void {
    this.#outbound = outbound;
  }

  register(def: ServiceDefinition, opts: RegisterOptions = {}): this {
    const problems = checkService(def);
    if (problems.length === 0 && this.#services.has(def.name)) problems.push(`service "${def.name}" is already registered with this provider`);
    if (problems.length > 0) throw new Error(`cannot register ${describeName(def)}:\n  - ${problems.join('\n  - ')}`);
    const concurrency = createConcurrency(opts.concurrency ?? DEFAULT_CONCURRENCY, `provider queue of ${def.name}`);
    const infra = this.#infrastructureFor(def, opts.settings);
    const methods = new Map<string, HostedMethod>();
    for (const [name, m] of Object.entries(def.methods)) {
      const full = `${def.name}.${name}`;
      methods.set(name, {
        full,
        service: def.name,
        name,
        def: m,
        paramNames: Object.keys(m.params.properties),
        validateParams: compileSchema(m.params, `${full} params`),
        validateResult: compileSchema(m.result, `${full} result`),
        timeoutMs: m.timeoutMs ?? opts.timeoutMs ?? this.#opts.defaultTimeoutMs ?? 30_000,
        concurrency,
        infra,
      });
    }
    this.#services.set(def.name, { def, methods, concurrency });
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

  queues() {
    return [...this.#services.values()].map((s) => s.concurrency.stats());
  }

  /** Answers one request. Never throws: every failure is a typed error reply. */
  async handle(req: CallRequest): Promise<CallReply> {
    try {
      return { id: req.id, result: await this.#invoke(req) };
    } catch (err) {
      return { id: req.id, error: this.#toWire(err, req) };
    }
  }

  /** Waits for every accepted call to finish (a worker's drain). */
  async drain(): Promise<void> {
    await Promise.all([...this.#services.values()].map((s) => s.concurrency.drain()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#services.values()].map((s) => s.concurrency.close()));
  }

  async #invoke(req: CallRequest): Promise<unknown> {
    const m = this.#lookup(req.service, req.method);
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
    try {
      return await m.concurrency.run({
        service: m.service,
        method: m.name,
        signal: deadline,
        execute: () => this.#execute(m, args, req, deadline),
      });
    } finally {
      deadline.clear();
    }
  }

  async #execute(m: HostedMethod, args: Record<string, unknown>, req: CallRequest, deadline: CallDeadline): Promise<unknown> {
    const ctx = new CallContext(m, req, deadline, this.#log, this.#outbound);
    let value = await deadline.race(Promise.resolve().then(() => m.def.handler(args, ctx)), () => ctx.log.warn('handler still running after its deadline; its result was dropped'));
    if (value === undefined) value = null;
    if (this.#opts.validateResults !== false && !m.validateResult(value)) {
      const problems = describeProblems(m.validateResult.errors ?? [], value);
      ctx.log.error({ problems }, 'handler returned a value that does not match its result schema');
      throw new JunctionError('INTERNAL', `${m.full} returned a result that does not match its schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    }
    return value;
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
    return args;
  }

  #infrastructureFor(def: ServiceDefinition, settings: Record<string, unknown> | undefined): Infrastructure {
    const available: Record<keyof Infrastructure, () => unknown> = {
      db: () => this.#opts.infrastructure?.db,
      config: () => createSettings(def.name, settings),
    };
    const infra = {} as Infrastructure;
    for (const name of Object.keys(available) as (keyof Infrastructure)[]) {
      if (!def.requires.includes(name)) {
        Object.defineProperty(infra, name, {
          get: () => {
            throw new Error(`service "${def.name}" uses ctx.infra.${name} without declaring it: add requires: ['${name}'] to its definition`);
          },
        });
        continue;
      }
      const value = available[name]();
      if (value === undefined) throw new Error(`cannot register service "${def.name}": it requires infrastructure "${name}", and none is configured (add infrastructure.${name} to the config)`);
      Object.defineProperty(infra, name, { value, enumerable: true });
    }
    return Object.freeze(infra);
  }

  #toWire(err: unknown, req: CallRequest): WireError {
    if (isJunctionError(err)) return err.toWire();
    this.#log.error({ err, service: req.service, method: req.method, requestId: req.id }, 'unexpected error in handler');
    const wire: WireError = { code: 'INTERNAL', message: `internal error in ${req.service}.${req.method} (request ${req.id}); the service's log has the details`, retryable: false };
    if (this.#opts.debug) wire.data = { message: (err as Error)?.message, stack: (err as Error)?.stack };
    return wire;
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
  const access = m.def.access;
  if (access === undefined || access.length === 0) return;
  const caller = req.meta.caller;
  if (caller === undefined) {
    throw new JunctionError('UNAUTHENTICATED', `${m.full} needs an identity with one of the roles [${access.join(', ')}]; the call carries none (send an API key)`);
  }
  if (access.includes('*') || caller.roles.some((r) => access.includes(r))) return;
  throw new JunctionError('FORBIDDEN', `${m.full} needs one of the roles [${access.join(', ')}]; "${caller.identity}" has [${caller.roles.join(', ')}]`, {
    required: access,
    identity: caller.identity,
  });
}
