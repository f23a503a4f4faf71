import { type Args, type CallMeta, type CallReply } from '../envelope';
import { errors, fromWire } from '../errors';
import { type MethodDescription, type ServiceDescription } from '../provider/describe';
import { DESCRIBE_METHOD } from '../provider/provider';

// How long the catalog waits for the services other workers host: a service whose workers are
// gone must not hold up the calls that wait for the catalog.
const ELSEWHERE_WAIT_MS = 2000;
// How often a lookup of a service the catalog does not know may read it again.
const MISS_REFRESH_MS = 1000;

/** Hands one call on; never rejects. */
export type CatalogInvoke = (service: string, method: string, args: Args, meta: CallMeta) => Promise<CallReply>;

export interface CatalogOptions {
  invoke: CatalogInvoke;
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  readonly loadedAt: number;
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

  /** Every service known; asked again once the answer is `ttlMs` old, or `maxAgeMs` when a caller needs it fresher. */
  services(meta: CallMeta, maxAgeMs = this.#ttlMs): Promise<readonly ServiceDescription[]> {
    const now = this.#now();
    if (this.#entry === undefined || this.#entry.expires <= now || now - this.#entry.loadedAt >= maxAgeMs) {
      const fresh: Entry = { loadedAt: now, expires: now + this.#ttlMs, services: this.#load(meta) };
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
    let s = (await this.services(meta)).find((d) => d.name === service);
    // Perhaps on a worker started since the catalog was read: read it again, at most once a second.
    if (s === undefined) s = (await this.services(meta, MISS_REFRESH_MS)).find((d) => d.name === service);
    if (s === undefined) throw errors.methodNotFound(service);
    const m = s.methods.find((x) => x.name === name);
    if (m === undefined) throw errors.methodNotFound(service, name);
    return m;
  }

  /**
   * `system.describe` reaches any one worker, which describes the services it hosts. In a cluster
   * whose workers host different services, the others are named by the nodes' heartbeats
   * (`management.nodes`) and each is described by a worker that hosts it (`<service>.$describe`).
   * Those two are best effort: a node without `management`, or a service nobody answers for
   * within a short wait, leaves the catalog as `system.describe` made it.
   */
  async #load(meta: CallMeta): Promise<readonly ServiceDescription[]> {
    const reply = await this.#invoke('system', 'describe', {}, meta);
    if (reply.error !== undefined) throw fromWire(reply.error);
    const known = Array.isArray(reply.result) ? (reply.result as ServiceDescription[]) : [];
    // Untraced, anonymous and brief: probes, not part of whatever call is waiting for the catalog.
    const brief: CallMeta = { deadline: Math.min(meta.deadline ?? Infinity, this.#now() + ELSEWHERE_WAIT_MS), attempt: 1 };
    const nodes = await this.#invoke('management', 'nodes', {}, brief);
    if (nodes.error !== undefined || !Array.isArray(nodes.result)) return known;
    const elsewhere = new Set<string>();
    for (const n of nodes.result as { services?: unknown }[]) for (const s of Array.isArray(n.services) ? n.services : []) if (typeof s === 'string') elsewhere.add(s);
    for (const k of known) elsewhere.delete(k.name);
    const more = await Promise.all(
      [...elsewhere].map(async (service) => {
        const r = await this.#invoke(service, DESCRIBE_METHOD, {}, brief);
        return r.error === undefined && typeof r.result === 'object' && r.result !== null ? (r.result as ServiceDescription) : undefined;
      }),
    );
    return [...known, ...more.filter((d): d is ServiceDescription => d !== undefined)];
  }
}
