import { randomBytes } from 'node:crypto';
import { type ConsoleUser } from './page';

export interface SessionOptions {
  /** How long a sign-in lasts. */
  ttlMs: number;
  /** Sessions kept at most; signing in past it ends the oldest. */
  max: number;
  now?: () => number;
}

interface Session {
  readonly user: ConsoleUser;
  readonly expires: number;
}

/**
 * Who is signed in, by session id: the id (32 random bytes) is all the browser holds, in its
 * cookie; the user's API key stays here, in this process. Bounded, so a flood of sign-ins costs
 * the oldest sessions rather than memory; a restart signs everyone out.
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: SessionOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.max;
    this.#now = opts.now ?? Date.now;
  }

  /** Starts a session for `user`; resolves with its id. */
  open(user: ConsoleUser): string {
    const id = randomBytes(32).toString('base64url');
    this.#sweep();
    // A Map iterates in insertion order: the first key is the oldest session.
    while (this.#byId.size >= this.#max) this.#byId.delete(this.#byId.keys().next().value!);
    this.#byId.set(id, { user, expires: this.#now() + this.#ttlMs });
    return id;
  }

  /** The user of a live session; undefined for an unknown or expired id. */
  get(id: string | undefined): ConsoleUser | undefined {
    if (id === undefined) return undefined;
    const s = this.#byId.get(id);
    if (s === undefined) return undefined;
    if (s.expires <= this.#now()) {
      this.#byId.delete(id);
      return undefined;
    }
    return s.user;
  }

  close(id: string | undefined): void {
    if (id !== undefined) this.#byId.delete(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Drops expired sessions from the oldest on, stopping at the first live one (they expire in order of opening). */
  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#byId) {
      if (s.expires > now) return;
      this.#byId.delete(id);
    }
  }
}
