import { type CallMeta, errors, fromWire, type ServiceDescription } from '@junction/core';
import { type Invoke } from '../../edge';
import { queryCoercer, type QueryCoercer } from './coerce';

/** What `GET /api/...` needs to know of a method: may it be called by GET, and how its query becomes args. */
export interface MethodInfo {
  readonly safe: boolean;
  readonly coerce: QueryCoercer;
}

interface Entry {
  readonly expires: number;
  readonly methods: Promise<ReadonlyMap<string, MethodInfo>>;
}

export interface CatalogOptions {
  invoke: Invoke;
  maxDepth: number;
  ttlMs?: number;
  now?: () => number;
}

/**
 * Method flags and param schemas, learnt by calling `system.describe {service}` through the same
 * chain as every call, and kept per service for `ttlMs` (30 s). Concurrent lookups of a service
 * share one describe call; a failed describe is not kept, so the next request asks again.
 */
export class MethodCatalog {
  readonly #entries = new Map<string, Entry>();
  readonly #invoke: Invoke;
  readonly #maxDepth: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: CatalogOptions) {
    this.#invoke = opts.invoke;
    this.#maxDepth = opts.maxDepth;
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Throws the describe call's error (METHOD_NOT_FOUND for an unknown service), or METHOD_NOT_FOUND for an unknown method. */
  async method(service: string, name: string, meta: CallMeta): Promise<MethodInfo> {
    const now = this.#now();
    let entry = this.#entries.get(service);
    if (entry === undefined || entry.expires <= now) {
      const fresh: Entry = { expires: now + this.#ttlMs, methods: this.#load(service, meta) };
      fresh.methods.catch(() => {
        if (this.#entries.get(service) === fresh) this.#entries.delete(service);
      });
      this.#entries.set(service, fresh);
      entry = fresh;
    }
    const m = (await entry.methods).get(name);
    if (m === undefined) throw errors.methodNotFound(service, name);
    return m;
  }

  async #load(service: string, meta: CallMeta): Promise<ReadonlyMap<string, MethodInfo>> {
    const reply = await this.#invoke('system', 'describe', { service }, meta);
    if (reply.error !== undefined) throw fromWire(reply.error);
    const all = Array.isArray(reply.result) ? (reply.result as ServiceDescription[]) : [];
    const description = all.find((d) => d.name === service);
    if (description === undefined) throw errors.methodNotFound(service);
    const methods = new Map<string, MethodInfo>();
    for (const m of description.methods) {
      methods.set(m.name, { safe: m.safe === true, coerce: queryCoercer(`${service}.${m.name}`, m.params, this.#maxDepth) });
    }
    return methods;
  }
}
