import { type CallMeta, errors, fromWire, type MethodDescription, type ServiceDescription } from '@junction/core';
import { type Invoke } from './edge';

export interface CatalogOptions {
  invoke: Invoke;
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  readonly expires: number;
  readonly services: Promise<readonly ServiceDescription[]>;
}

/**
 * What the gateway knows of the services behind it: learnt by calling `system.describe` through
 * the same chain as every call, kept for `ttlMs` (30 s), and shared by every protocol that needs
 * schemas or flags (GET coercion, XML-RPC introspection). Concurrent lookups share one describe
 * call; a failed describe is not kept, so the next lookup asks again.
 */
export class ServiceCatalog {
  readonly #invoke: Invoke;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #entry: Entry | undefined;

  constructor(opts: CatalogOptions) {
    this.#invoke = opts.invoke;
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  services(meta: CallMeta): Promise<readonly ServiceDescription[]> {
    const now = this.#now();
    if (this.#entry === undefined || this.#entry.expires <= now) {
      const fresh: Entry = { expires: now + this.#ttlMs, services: this.#load(meta) };
      fresh.services.catch(() => {
        if (this.#entry === fresh) this.#entry = undefined;
      });
      this.#entry = fresh;
    }
    return this.#entry.services;
  }

  /**
   * The description of `service.name`; throws the describe call's error, or METHOD_NOT_FOUND
   * naming the unknown service or method. The same object is returned until the entry expires,
   * so callers may key their own derived data on it.
   */
  async method(service: string, name: string, meta: CallMeta): Promise<MethodDescription> {
    const s = (await this.services(meta)).find((d) => d.name === service);
    if (s === undefined) throw errors.methodNotFound(service);
    const m = s.methods.find((x) => x.name === name);
    if (m === undefined) throw errors.methodNotFound(service, name);
    return m;
  }

  async #load(meta: CallMeta): Promise<readonly ServiceDescription[]> {
    const reply = await this.#invoke('system', 'describe', {}, meta);
    if (reply.error !== undefined) throw fromWire(reply.error);
    return Array.isArray(reply.result) ? (reply.result as ServiceDescription[]) : [];
  }
}
