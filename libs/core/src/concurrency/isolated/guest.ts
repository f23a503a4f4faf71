import pino from 'pino';
import { type CallRequest } from '../../envelope';
import { isJunctionError } from '../../errors';
import { type Db, type Row } from '../../infrastructure/db';
import { type Logger } from '../../logging';
import { CallContext } from '../../provider/call-context';
import { CallDeadline } from '../../provider/call-deadline';
import { infrastructureFor } from '../../provider/infrastructure';
import { type Handler } from '../../proxies/proxy';
import { checkService, type ServiceDefinition } from '../../service';
import { type GuestLink } from './links';
import { type GuestOutcome, type GuestSetup, type GuestTask } from './protocol';

/** Runs one service's handlers in a worker thread or a child process, for a host. */
export interface GuestRuntime {
  readonly def: ServiceDefinition;
  run(task: GuestTask): Promise<GuestOutcome>;
}

/**
 * Loads the service and builds what its handlers' `ctx` reaches: `call`, `infra.db` and `log` go
 * through the link that `current()` returns (the task's port in a thread, the IPC channel in a
 * child); `infra.config` is the service's settings, copied in.
 */
export function createGuestRuntime(setup: GuestSetup, current: () => GuestLink): GuestRuntime {
  const def = loadService(setup.module, setup.service);
  const log = linkedLogger(setup, current);
  const infra = infrastructureFor(def, {
    db: setup.available.includes('db') ? () => new LinkedDb(setup.dbKind ?? 'db', current) : () => undefined,
    settings: setup.settings,
  });
  const outbound: Handler = (req) => current().call(req);

  return {
    def,
    async run(task) {
      const m = def.methods[task.method];
      const full = `${def.name}.${task.method}`;
      if (m === undefined) return { ok: false, error: { code: 'METHOD_NOT_FOUND', message: `service "${def.name}" has no method "${task.method}" in ${setup.module}` } };
      const req: CallRequest = { id: task.request.id, service: def.name, method: task.method, args: task.args, meta: task.request.meta };
      // Cheap when unchanged; the host writes the guest's lines without filtering them again.
      if (task.logLevel !== undefined && log.level !== task.logLevel) log.level = task.logLevel;
      const deadline = new CallDeadline(task.deadline, () => `${full} (request ${req.id})`);
      const ctx = new CallContext({ service: def.name, name: task.method, infra, def: m }, req, deadline, log, outbound, task.trace);
      try {
        const value = await deadline.race(
          Promise.resolve().then(() => m.handler(task.args, ctx)),
          () => ctx.log.warn('handler still running after its deadline; its result was dropped'),
        );
        return { ok: true, value: value === undefined ? null : value };
      } catch (err) {
        if (isJunctionError(err)) return { ok: false, error: err.toWire() };
        ctx.log.error({ err }, 'unexpected error in handler');
        return { ok: false, error: { code: 'INTERNAL', message: `internal error in ${full} (request ${req.id}); the service's log has the details`, retryable: false } };
      } finally {
        deadline.clear();
      }
    },
  };
}

let tsHook: (() => void) | undefined;

function loadService(module: string, name: string): ServiceDefinition {
  // A service written in TypeScript and run from its sources (tests, `junction start` on a .ts file).
  if (/\.[cm]?ts$/.test(module) && tsHook === undefined) tsHook = (require('tsx/cjs/api') as { register: () => () => void }).register();
  const def = (require(module) as { service?: unknown }).service;
  const problems = checkService(def);
  if (problems.length > 0) throw new Error(`${module} must export \`service\` made by defineService(): ${problems.join('; ')}`);
  if ((def as ServiceDefinition).name !== name) throw new Error(`${module} exports service "${(def as ServiceDefinition).name}", expected "${name}"`);
  return def as ServiceDefinition;
}

/**
 * A pino logger whose lines go to the host, which writes them with its own destination and format
 * (the level is the service's, carried with each task). Bindings (service, method, request id) travel in each record.
 */
function linkedLogger(setup: GuestSetup, current: () => GuestLink): Logger {
  return pino(
    { level: setup.logLevel, base: setup.node === undefined ? null : { node: setup.node }, timestamp: false },
    {
      write(line: string) {
        const record = JSON.parse(line) as Record<string, unknown> & { level: number };
        const { level, ...rest } = record;
        current().send({ t: 'log', level, record: rest });
      },
    },
  );
}

/** The host's database, reached through the link; a transaction is held open in the host until this side ends it. */
class LinkedDb implements Db {
  readonly kind: string;
  readonly #link: () => GuestLink;
  readonly #tx: number | undefined;

  constructor(kind: string, link: () => GuestLink, tx?: number) {
    this.kind = kind;
    this.#link = link;
    this.#tx = tx;
  }

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.#link().db({ op: 'query', sql, params, tx: this.#tx })) as T[];
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return (await this.#link().db({ op: 'exec', sql, params, tx: this.#tx })) as { changes: number };
  }

  // The host runs every statement of a guest: this thread has nothing to hand off.
  execInBackground(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    return this.exec(sql, params);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    // Nested: the same transaction, as the host's own kinds do.
    if (this.#tx !== undefined) return fn(this);
    const link = this.#link();
    const tx = (await link.db({ op: 'begin' })) as number;
    let value: T;
    try {
      value = await fn(new LinkedDb(this.kind, () => link, tx));
    } catch (err) {
      await link.db({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await link.db({ op: 'end', tx, commit: true });
    return value;
  }

  async close(): Promise<void> {
    // The connection is the host's; a guest has nothing of its own to close.
  }
}
