import { type CallReply, type CallRequest } from '../../envelope';
import { JunctionError, type WireError } from '../../errors';
import { type Db } from '../../infrastructure/db';
import { type Logger } from '../../logging';
import { type Handler } from '../../proxies/proxy';
import { type DbOp, type GuestMessage, type GuestOutcome, type HostMessage, replyOf } from './protocol';

/** What a host lends its guests. */
export interface GuestHost {
  /** The service the guests run, for messages. */
  readonly service: string;
  /** The node's proxy chain, for the guests' `ctx.call`. */
  readonly outbound: Handler;
  readonly db?: Db;
  readonly log: Logger;
}

const ROLLBACK = Symbol('rollback');

interface OpenTx {
  readonly db: Db;
  readonly end: (commit: boolean) => void;
  readonly done: Promise<unknown>;
}

/**
 * The host's end of one link to a guest (one thread task's port, or one child process): answers
 * the guest's calls, database operations and log records. A transaction the guest opened is
 * held here, and rolled back if the link closes first (the guest died or was stopped).
 */
export class HostLink {
  readonly #host: GuestHost;
  /** Writes the guest's records at their own level: the guest filtered them with the service's level already. */
  readonly #relay: Logger;
  readonly #send: (m: HostMessage) => void;
  readonly #txs = new Map<number, OpenTx>();
  #nextTx = 1;
  #closed = false;

  constructor(host: GuestHost, send: (m: HostMessage) => void) {
    this.#host = host;
    this.#relay = host.log.child({}, { level: 'trace' });
    this.#send = send;
  }

  receive(msg: GuestMessage): void {
    switch (msg.t) {
      case 'call':
        void this.#host.outbound(msg.request).then(
          (r) => this.#reply(msg.seq, replyOf(r)),
          (err: unknown) => {
            this.#host.log.error({ err, target: `${msg.request.service}.${msg.request.method}` }, 'ctx.call from a guest failed in its host');
            this.#reply(msg.seq, { ok: false, error: { code: 'INTERNAL', message: `ctx.call to ${msg.request.service}.${msg.request.method} failed in the host process; its log has the details` } });
          },
        );
        return;
      case 'db':
        void this.#db(msg).then(
          (value) => this.#reply(msg.seq, { ok: true, value }),
          (err: unknown) => this.#reply(msg.seq, { ok: false, error: dbError(err) }),
        );
        return;
      case 'log': {
        const label = this.#relay.levels.labels[msg.level] ?? 'info';
        (this.#relay as unknown as Record<string, (o: object) => void>)[label](msg.record);
        return;
      }
      default:
        return;
    }
  }

  /** Rolls back what the guest left open. */
  close(): void {
    this.#closed = true;
    for (const tx of this.#txs.values()) tx.end(false);
    this.#txs.clear();
  }

  #reply(seq: number, outcome: GuestOutcome): void {
    try {
      this.#send({ t: 'reply', seq, outcome });
    } catch {
      // The guest is gone; it was waiting for nothing any more.
    }
  }

  async #db(msg: DbOp): Promise<unknown> {
    const db = this.#host.db;
    if (db === undefined) throw new Error(`service "${this.#host.service}" has no db configured on this node`);
    switch (msg.op) {
      case 'query':
      case 'exec': {
        const target = msg.tx === undefined ? db : this.#tx(msg.tx).db;
        return msg.op === 'query' ? target.query(msg.sql, msg.params) : target.exec(msg.sql, msg.params);
      }
      case 'begin':
        return this.#begin(db);
      case 'end': {
        const tx = this.#tx(msg.tx);
        this.#txs.delete(msg.tx);
        tx.end(msg.commit);
        try {
          await tx.done;
        } catch (err) {
          if (err !== ROLLBACK) throw err;
        }
        return null;
      }
    }
  }

  async #begin(db: Db): Promise<number> {
    const id = this.#nextTx++;
    let end: (commit: boolean) => void = () => undefined;
    const held = new Promise<void>((resolve, reject) => {
      end = (commit) => (commit ? resolve() : reject(ROLLBACK));
    });
    // The transaction stays open, in this process, until the guest sends `end` (or the link closes).
    let done: Promise<unknown> = Promise.resolve();
    const tx = await new Promise<Db>((resolve, reject) => {
      done = db.transaction(async (t) => {
        resolve(t);
        await held;
      });
      done.catch(reject);
    });
    if (this.#closed) {
      end(false);
      throw new Error('the guest went away while its transaction was opening');
    }
    this.#txs.set(id, { db: tx, end, done });
    return id;
  }

  #tx(id: number): OpenTx {
    const tx = this.#txs.get(id);
    if (tx === undefined) throw new Error(`transaction ${id} is not open (it ended, or its guest restarted)`);
    return tx;
  }
}

/** A database error keeps its message and driver code (`23505`, `SQLITE_CONSTRAINT_UNIQUE`): handlers branch on them. */
function dbError(err: unknown): WireError {
  const e = err as { message?: unknown; code?: unknown };
  return { code: 'INTERNAL', message: String(e?.message ?? err), data: { db: true, driverCode: typeof e?.code === 'string' ? e.code : undefined } };
}

interface Pending {
  resolve(outcome: GuestOutcome): void;
  reject(err: Error): void;
}

/**
 * The guest's end of a link: numbered requests to the host, and their replies. `call` and `db`
 * requests are answered; log records are not.
 */
export class GuestLink {
  readonly #send: (m: GuestMessage) => void;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #closed: Error | undefined;

  constructor(send: (m: GuestMessage) => void) {
    this.#send = send;
  }

  send(m: GuestMessage): void {
    this.#send(m);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const outcome = await this.#ask((seq) => ({ t: 'call', seq, request }));
    return outcome.ok ? { id: request.id, result: outcome.value } : { id: request.id, error: outcome.error };
  }

  async db(op: DbOp): Promise<unknown> {
    const outcome = await this.#ask((seq) => ({ t: 'db', seq, ...op }) as GuestMessage);
    if (!outcome.ok) throw revive(outcome.error);
    return outcome.value;
  }

  receive(msg: HostMessage): void {
    if (msg.t !== 'reply') return;
    const p = this.#pending.get(msg.seq);
    if (p === undefined) return;
    this.#pending.delete(msg.seq);
    p.resolve(msg.outcome);
  }

  close(reason: Error): void {
    this.#closed = reason;
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
  }

  #ask(make: (seq: number) => GuestMessage): Promise<GuestOutcome> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      this.#send(make(seq));
    });
  }
}

/** A database error comes back as the driver's would have been thrown (message and `code`). */
function revive(wire: WireError): Error {
  const data = wire.data as { db?: boolean; driverCode?: string } | undefined;
  if (data?.db === true) return Object.assign(new Error(wire.message), data.driverCode === undefined ? {} : { code: data.driverCode });
  return new JunctionError(wire.code, wire.message, wire.data);
}
