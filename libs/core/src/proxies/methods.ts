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
  const indexes = new WeakMap<readonly ServiceDescription[], Index>();
  let failedAt = -Infinity;
  let outage = false;
  // The last answer's index while it is fresh: most calls find their flags without a promise.
  let fresh: { at: number; until: number; index: Index } | undefined;

  const indexOf = (services: readonly ServiceDescription[]): Index => {
    let index = indexes.get(services);
    if (index === undefined) {
      index = new Map(services.map((s) => [s.name, new Map(s.methods.map((m) => [m.name, m]))]));
      indexes.set(services, index);
    }
    return index;
  };

  const read = async (req: CallRequest, now: number, maxAgeMs: number): Promise<MethodDescription | undefined> => {
    try {
      // The answer is shared by every caller: it is asked for with a deadline of its own, and no caller's identity.
      const services = await catalog.services({ traceparent: req.meta.traceparent, deadline: now + describeTimeoutMs, attempt: 1 }, maxAgeMs);
      if (outage) {
        outage = false;
        log.info('system.describe answers again: method flags are known, cache, retry and access act again');
      }
      const index = indexOf(services);
      fresh = { at: now, until: now + ttlMs, index };
      return index.get(req.service)?.get(req.method);
    } catch (err) {
      failedAt = clock.now();
      if (!outage) {
        outage = true;
        log.warn({ err }, `cannot learn method flags: system.describe failed (${(err as Error).message}); cache, retry and access step aside for every call until it answers (asked again every ${retryAfterMs} ms)`);
      }
      return undefined;
    }
  };

  return (req: CallRequest) => {
    // system.* would ask system.describe about itself, through the same links.
    if (req.service === 'system') return undefined;
    const now = clock.now();
    let maxAgeMs = ttlMs;
    if (fresh !== undefined && now < fresh.until) {
      const methods = fresh.index.get(req.service);
      const found = methods?.get(req.method);
      // A service the catalog does not know may be on a worker that started since it was read:
      // read it again, at most once every retryAfterMs, rather than wait out its ttl.
      if (found !== undefined || methods !== undefined || now - fresh.at < retryAfterMs) return found;
      maxAgeMs = retryAfterMs;
    }
    if (now - failedAt < retryAfterMs) return undefined;
    return read(req, now, maxAgeMs);
  };
}

/** Methods by name, by service name. */
type Index = Map<string, Map<string, MethodDescription>>;

/** A catalog whose describe calls go to `terminal`: through no link, so never retried, cached or counted by a breaker. */
export function describeThrough(terminal: Handler, clock: Clock, ttlMs = 30_000): ServiceCatalog {
  return new ServiceCatalog({
    invoke: (service, method, args, meta) => terminal({ id: newRequestId(), service, method, args, meta }),
    ttlMs,
    now: () => clock.now(),
  });
}
