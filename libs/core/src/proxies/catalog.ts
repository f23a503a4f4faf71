import { type Args, type CallMeta, type CallReply } from '../envelope';
import { errors, fromWire } from '../errors';
import { type MethodDescription, type ServiceDescription } from '../provider/describe';

/** Hands one call on; never rejects. */
export type CatalogInvoke = (service: string, method: string, args: Args, meta: CallMeta) => Promise<CallReply>;

export interface CatalogOptions {
  invoke: CatalogInvoke;
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  readonly expires: number;
  readonly services: Promise<readonly ServiceDescription[]>;
}

/**
 * What a node knows of the services behind it: learnt by calling `system.describe`, kept for
 * `ttlMs` (30 s), and shared by everything that needs schemas or flags (the gateway's GET
 * coercion and XML-RPC introspection, the proxies' method flags). Concurrent lookups share one
 * describe call; a failed describe is not kept, so the next lookup asks again.
 *
 * @example
 * const catalog = new ServiceCatalog({ invoke: (service, method, args, meta) => chain({ id: newRequestId(), service, method, args, meta }) });
 * const { idempotent } = await catalog.method('calc', 'subtract', { deadline: Date.now() + 2000 });
 */
export class ServiceCatalog {
  readonly #invoke: CatalogInvoke;
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
