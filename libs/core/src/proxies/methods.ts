import { type CallRequest, newRequestId } from '../envelope';
import { type Logger } from '../logging';
import { type MethodDescription, type ServiceDescription } from '../provider/describe';
import { ServiceCatalog } from './catalog';
import { type Clock, type Handler, type MethodLookup } from './proxy';

export interface MethodLookupOptions {
  /** Where `system.describe` goes: the chain's terminal, so that no link (retry, cache) recurses into a lookup. */
  terminal: Handler;
  clock: Clock;
  log: Logger;
  /** How long one describe answer is used (for a catalog made here). */
  ttlMs?: number;
  /** The catalog to read; by default one of its own, asking describe through `terminal`. */
  catalog?: ServiceCatalog;
  /** The deadline of a describe call: a lookup never holds a call up longer. */
  describeTimeoutMs?: number;
  /** After a failed describe, flags count as unknown this long before describe is asked again. */
  retryAfterMs?: number;
}

/**
 * Learns method flags where the chain runs, which in a cluster is a gateway that hosts none of the
 * services: from `system.describe`, through the chain's terminal, cached by a ServiceCatalog.
 * When describe fails the flags are unknown (undefined) and the links that need them step aside:
 * the call goes on uncached, unretried, and the provider still enforces access and timeouts.
 * One warning per outage, not per call; at most one describe per `retryAfterMs` while it lasts.
 */
export function createMethodLookup(opts: MethodLookupOptions): MethodLookup {
  const { clock, log } = opts;
  const describeTimeoutMs = opts.describeTimeoutMs ?? 2000;
  const ttlMs = opts.ttlMs ?? 30_000;
  const retryAfterMs = opts.retryAfterMs ?? 1000;
  const catalog = opts.catalog ?? describeThrough(opts.terminal, clock, ttlMs);
  const indexes = new WeakMap<readonly ServiceDescription[], Map<string, MethodDescription>>();
  let failedAt = -Infinity;
  let outage = false;
  // The last answer's index while it is fresh: most calls find their flags without a promise.
  let fresh: { at: number; until: number; byName: Map<string, MethodDescription>; services: ReadonlySet<string> } | undefined;

  const index = (services: readonly ServiceDescription[]): Map<string, MethodDescription> => {
    let byName = indexes.get(services);
    if (byName === undefined) {
      byName = new Map(services.flatMap((s) => s.methods.map((m): [string, MethodDescription] => [`${s.name}.${m.name}`, m])));
      indexes.set(services, byName);
    }
    return byName;
  };

  return async (req: CallRequest) => {
    // system.* would ask system.describe about itself, through the same links.
    if (req.service === 'system') return undefined;
    const now = clock.now();
    let maxAgeMs = ttlMs;
    if (fresh !== undefined && now < fresh.until) {
      const found = fresh.byName.get(`${req.service}.${req.method}`);
      // A service the catalog does not know may be on a worker that started since it was read:
      // read it again, at most once every retryAfterMs, rather than wait out its ttl.
      if (found !== undefined || fresh.services.has(req.service) || now - fresh.at < retryAfterMs) return found;
      maxAgeMs = retryAfterMs;
    }
    if (now - failedAt < retryAfterMs) return undefined;
    try {
      // The answer is shared by every caller: it is asked for with a deadline of its own, and no caller's identity.
      const services = await catalog.services({ traceparent: req.meta.traceparent, deadline: now + describeTimeoutMs, attempt: 1 }, maxAgeMs);
      if (outage) {
        outage = false;
        log.info('system.describe answers again: method flags are known, cache, retry and access act again');
      }
      const byName = index(services);
      fresh = { at: now, until: now + ttlMs, byName, services: new Set(services.map((d) => d.name)) };
      return byName.get(`${req.service}.${req.method}`);
    } catch (err) {
      failedAt = clock.now();
      if (!outage) {
        outage = true;
        log.warn({ err }, `cannot learn method flags: system.describe failed (${(err as Error).message}); cache, retry and access step aside for every call until it answers (asked again every ${retryAfterMs} ms)`);
      }
      return undefined;
    }
  };
}

/** A catalog whose describe calls go to `terminal`: through no link, so never retried, cached or counted by a breaker. */
export function describeThrough(terminal: Handler, clock: Clock, ttlMs = 30_000): ServiceCatalog {
  return new ServiceCatalog({
    invoke: (service, method, args, meta) => terminal({ id: newRequestId(), service, method, args, meta }),
    ttlMs,
    now: () => clock.now(),
  });
}
