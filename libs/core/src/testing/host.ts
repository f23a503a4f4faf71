import { type Args, type Caller, newRequestId } from '../envelope';
import { toWireValue } from '../service/wire-types';
import { fromWire } from '../errors';
import { createSqliteDb, type Db } from '../infrastructure';
import { type Logger, silentLogger } from '../logging';
import { Provider } from '../provider/provider';
import { type ServiceDefinition } from '../service';

export interface TestHostOptions {
  /** Other services (real or fakes) that the ones under test call through `ctx.call`. */
  with?: readonly ServiceDefinition[];
  /** Defaults to a fresh in-memory SQLite for services that require `db`. */
  db?: Db;
  settings?: Record<string, Record<string, unknown>>;
  caller?: Caller;
  log?: Logger;
  debug?: boolean;
}

export interface TestHost {
  /**
   * Calls `service.method`; resolves with the result or rejects with the typed JunctionError.
   * Args may hold `Date`s and `Uint8Array`s; the result is in wire form (ISO strings, base64), as a client gets it.
   */
  call<T = unknown>(target: string, args?: Args, opts?: { caller?: Caller; timeoutMs?: number }): Promise<T>;
  provider: Provider;
  db: Db;
  close(): Promise<void>;
}

/**
 * Hosts services for a test, as a real node would (validation, access, deadlines, ctx.call),
 * with their dependencies replaced by fakes. A call to a service that is not hosted fails with
 * METHOD_NOT_FOUND naming it.
 */
export function hostServices(services: ServiceDefinition | readonly ServiceDefinition[], opts: TestHostOptions = {}): TestHost {
  const db = opts.db ?? createSqliteDb({ type: 'sqlite', path: ':memory:' });
  const provider = new Provider({ log: opts.log ?? silentLogger(), infrastructure: { db }, debug: opts.debug ?? true });
  for (const s of [...(Array.isArray(services) ? services : [services]), ...(opts.with ?? [])]) {
    provider.register(s, { settings: opts.settings?.[s.name] });
  }
  provider.connect((req) => provider.handle(req));
  return {
    provider,
    db,
    async call<T>(target: string, args: Args = {}, callOpts: { caller?: Caller; timeoutMs?: number } = {}) {
      const dot = target.indexOf('.');
      const reply = await provider.handle({
        id: newRequestId(),
        service: target.slice(0, dot),
        method: target.slice(dot + 1),
        // As a client would send them: Dates and bytes as ISO strings and base64.
        args: toWireValue(args) as Args,
        meta: { caller: callOpts.caller ?? opts.caller, deadline: Date.now() + (callOpts.timeoutMs ?? 10_000), attempt: 1 },
      });
      if (reply.error !== undefined) throw fromWire(reply.error);
      return reply.result as T;
    },
    async close() {
      await provider.close();
      if (opts.db === undefined) await db.close();
    },
  };
}
