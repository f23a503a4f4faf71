import { type CallMeta, type CallReply, type CallRequest, type TraceContext } from '../../envelope';
import { type WireError } from '../../errors';
import { type InfrastructureName } from '../../service/define';

/**
 * The messages between a host (the provider's process) and a guest (a worker thread or a child
 * process running a service's handlers). A guest has no proxy chain, database or log
 * destination of its own: `ctx.call`, `ctx.infra.db` and `ctx.log` are requests to its host.
 */

/** What a guest needs to load and serve one service; fixed for the guest's life. */
export interface GuestSetup {
  /** Absolute path of the module that exports the service as `service`. */
  module: string;
  service: string;
  settings: Record<string, unknown>;
  /** The infrastructure the host has for the service (its `requires` that are configured). */
  available: readonly InfrastructureName[];
  /** The host's `db` kind (`sqlite`, `postgres`), for `ctx.infra.db.kind`. */
  dbKind?: string;
  logLevel: string;
  /** The node's name, bound into the guest's log lines. */
  node?: string;
}

/** One call for a guest to run: already validated by the host's provider. */
export interface GuestTask {
  method: string;
  args: Record<string, unknown>;
  request: { id: string; meta: CallMeta };
  /** Epoch ms: the tighter of the caller's deadline and the method's time limit. */
  deadline: number;
  /** The service's log level now: it may have changed since the guest started (logging.setLevel). */
  logLevel?: string;
  /** The handler's span, for a sampled call: its `ctx.call`s are made its children. */
  trace?: TraceContext;
}

export type GuestOutcome = { ok: true; value: unknown } | { ok: false; error: WireError };

export type DbOp =
  | { op: 'query' | 'exec'; sql: string; params?: readonly unknown[]; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean };

/** Guest to host: a request the host answers with a `reply` of the same `seq`, or a log record. */
export type GuestMessage =
  | { t: 'call'; seq: number; request: CallRequest }
  | ({ t: 'db'; seq: number } & DbOp)
  | { t: 'log'; level: number; record: Record<string, unknown> }
  /** A child process's answer to a `run` (a thread's answer is its piscina task's result). */
  | { t: 'done'; task: number; outcome: GuestOutcome }
  | { t: 'ready' }
  /** A thread's last message for a task: everything it sent for the task is in. */
  | { t: 'end' };

/** Host to guest. */
export type HostMessage =
  | { t: 'reply'; seq: number; outcome: GuestOutcome }
  /** Child processes only: run a task; its answer is a `done` with the same `task`. */
  | { t: 'run'; task: number; job: GuestTask };

export const replyOf = (r: CallReply): GuestOutcome => (r.error === undefined ? { ok: true, value: r.result } : { ok: false, error: r.error });
