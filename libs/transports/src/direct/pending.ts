import { type CallReply, type CallRequest, type Codec, errors, JunctionError, type QueueStats, replyByDeadline } from '@junction/core';

interface Entry<Via> {
  resolve: (reply: CallReply) => void;
  service: string;
  /** The connection the request went out on: only its loss fails the call. */
  via: Via;
}

export interface PendingStats {
  pending: number;
  sent: number;
  replies: number;
  /** Replies that came after their caller stopped waiting (deadline passed, or connection given up). */
  lateReplies: number;
  /** Calls refused OVERLOADED because `maxPending` replies were already awaited. */
  refused: number;
  /** Calls refused TIMEOUT because their deadline had passed before they were sent. */
  expired: number;
  /** Calls failed UNAVAILABLE because their connection went while they waited. */
  lost: number;
}

/**
 * The client side's calls awaiting replies, matched by envelope id, bounded by `maxPending`, and
 * never waited for past their deadline. Shared by the point-to-point transports (tcp, zeromq).
 */
export class PendingCalls<Via> {
  readonly #calls = new Map<string, Entry<Via>>();
  readonly #what: string;
  readonly #max: number;
  readonly #stats = { sent: 0, replies: 0, lateReplies: 0, refused: 0, expired: 0, lost: 0 };

  constructor(what: string, maxPending: number) {
    this.#what = what;
    this.#max = maxPending;
  }

  get size(): number {
    return this.#calls.size;
  }

  /** The error reply that refuses `req` at once (deadline passed, table full, id reused), or undefined when it may be sent. */
  refusal(req: CallRequest): CallReply | undefined {
    if (req.meta.deadline !== undefined && req.meta.deadline <= Date.now()) {
      this.#stats.expired++;
      return { id: req.id, error: errors.timeout(`${req.service}.${req.method} over ${this.#what}`, req.meta.deadline).toWire() };
    }
    if (req.meta.oneWay) return undefined;
    if (this.#calls.size >= this.#max) {
      this.#stats.refused++;
      return { id: req.id, error: errors.overloaded(`${this.#what} (replies pending)`, this.#max).toWire() };
    }
    if (this.#calls.has(req.id)) {
      return { id: req.id, error: new JunctionError('INTERNAL', `${this.#what}: request id ${req.id} is already waiting for a reply; ids must be unique`, { service: req.service }).toWire() };
    }
    return undefined;
  }

  /** Registers `req` as sent on `via`; resolves with its reply, a failure of `via`, or TIMEOUT at the deadline. */
  wait(req: CallRequest, via: Via): Promise<CallReply> {
    this.#stats.sent++;
    const reply = new Promise<CallReply>((resolve) => this.#calls.set(req.id, { resolve, service: req.service, via }));
    return replyByDeadline(req, reply, this.#what).then((r) => {
      this.#calls.delete(req.id);
      return r;
    });
  }

  /** Counts a one-way request, which nobody waits for. */
  sentOneWay(): void {
    this.#stats.sent++;
  }

  /** Decodes a reply frame and hands it to its caller; a reply nobody waits for any more is counted and dropped. */
  settle(bytes: Buffer, codec: Codec, onUndecodable: (reason: string) => void): void {
    let envelope;
    try {
      envelope = codec.decode(bytes);
    } catch (err) {
      onUndecodable((err as Error).message);
      return;
    }
    if (envelope.kind !== 'reply') {
      onUndecodable(`a ${envelope.kind} (id ${envelope.id}) came where replies are expected`);
      return;
    }
    const entry = this.#calls.get(envelope.id);
    if (entry === undefined) {
      this.#stats.lateReplies++;
      return;
    }
    this.#calls.delete(envelope.id);
    this.#stats.replies++;
    entry.resolve(envelope.error === undefined ? { id: envelope.id, result: envelope.result } : { id: envelope.id, error: envelope.error });
  }

  /** Settles one call with `reply` (its request could not be sent after all). */
  abandon(id: string, reply: CallReply): void {
    const entry = this.#calls.get(id);
    if (entry === undefined) return;
    this.#calls.delete(id);
    this.#stats.lost++;
    entry.resolve(reply);
  }

  /** Answers UNAVAILABLE, at once, every call sent on a connection that went: none of their replies can arrive now. */
  fail(via: (v: Via) => boolean, why: (id: string, service: string) => string, reason = 'DISCONNECTED'): void {
    for (const [id, entry] of this.#calls) {
      if (!via(entry.via)) continue;
      this.#calls.delete(id);
      this.#stats.lost++;
      entry.resolve({ id, error: new JunctionError('UNAVAILABLE', why(id, entry.service), { service: entry.service, reason }).toWire() });
    }
  }

  stats(): PendingStats {
    return { pending: this.#calls.size, ...this.#stats };
  }

  /** Calls sent and awaiting replies, as a bounded queue (bounded by `maxPending`; nothing waits to be sent). */
  queue(): QueueStats {
    const s = this.#stats;
    return { name: `${this.#what} (calls out)`, inFlight: this.#calls.size, waiting: 0, maxInFlight: this.#max, maxWaiting: 0, accepted: s.sent, rejected: s.refused, completed: s.replies, expired: s.expired, waitMsTotal: 0, waitMsMax: 0 };
  }
}
