import { type CacheProxyConfig } from '../config/schema';
import { type CallReply, type CallRequest, replyByDeadline } from '../envelope';
import { createCacheBackend } from './cache-backends';
import { cacheKey } from './cache-key';
import { openSpan } from '../tracing/open-span';
import { type MethodDescription } from '../provider/describe';
import { type Handler, type Link, type LinkDeps, withMethod } from './proxy';

// Text that does not parse (written under our prefix by something else) is a miss, not a failed call.
function parsed(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** What one lookup came to: a reply, and the wire text of its result when there is one. */
interface Outcome {
  reply: CallReply;
  text?: string;
  hit?: boolean;
}

/**
 * Caches the results of methods that declare `cache: { ttlMs }`, and only those, in the wire form
 * (JSON text) a remote caller would read, under `cacheKey` (args in canonical form; roles when
 * the method has `access`). Identical calls that miss at the same time make one call: the others
 * wait for it (each no longer than its own deadline) and get its answer, errors included. Errors
 * are never cached. A backend that cannot answer (Redis down) is a miss: the call goes through.
 */
export function createCache(config: CacheProxyConfig, deps: Pick<LinkDeps, 'methods' | 'clock' | 'log' | 'onClose' | 'observe' | 'tracer'>): Link {
  const backend = createCacheBackend(config.backend, { clock: deps.clock, log: deps.log });
  deps.onClose(() => backend.close());
  const stats = { hits: 0, misses: 0, shared: 0 };
  deps.observe(() => ({ type: 'cache', backend: config.backend.type, available: backend.available(), ...stats, ...backend.size?.() }));
  const inflight = new Map<string, Promise<Outcome>>();

  const lookup = async (key: string, req: CallRequest, next: Handler, ttlMs: number): Promise<Outcome> => {
    const text = await backend.get(key);
    const hit = text === undefined ? undefined : parsed(text);
    if (hit !== undefined) {
      stats.hits++;
      return { reply: { id: req.id, result: hit.value }, text, hit: true };
    }
    stats.misses++;
    const reply = await next(req);
    if (reply.error !== undefined) return { reply };
    let fresh: string;
    try {
      fresh = JSON.stringify(reply.result ?? null);
    } catch {
      return { reply }; // not JSON (a BigInt through the local terminal): it cannot be cached, nor sent anywhere else
    }
    // Not awaited: the caller need not wait for the store. A later GET on the same connection is
    // answered after this SET, so the next identical call finds it.
    void backend.set(key, fresh, ttlMs);
    return { reply, text: fresh };
  };

  // Each waiter gets a result of its own, parsed from the text: nobody can change another's.
  const own = (req: CallRequest, { reply, text }: Outcome): CallReply =>
    text === undefined ? { ...reply, id: req.id } : { id: req.id, result: JSON.parse(text) as unknown };

  const cached = async (req: CallRequest, method: MethodDescription, ttlMs: number, next: Handler): Promise<CallReply> => {
    const key = cacheKey(req, method);
    const span = openSpan(deps.tracer, req, 'proxy');
    const shared = inflight.get(key);
    if (shared !== undefined) {
      stats.shared++;
      const reply = await replyByDeadline(req, shared.then((outcome) => own(req, outcome)), 'the cache (waiting for an identical call)');
      span?.end('cache shared', reply, { cache: 'shared' });
      return reply;
    }
    // The miss's call is the span's child: `span.req` carries it as the parent.
    const pending = lookup(key, span?.req ?? req, next, ttlMs);
    inflight.set(key, pending);
    try {
      const outcome = await pending;
      span?.end(outcome.hit === true ? 'cache hit' : 'cache miss', outcome.reply, { cache: outcome.hit === true ? 'hit' : 'miss' });
      return outcome.reply;
    } finally {
      inflight.delete(key);
    }
  };

  return (next) => (req) => {
    if (req.meta.oneWay === true) return next(req);
    return withMethod(deps.methods(req), (method) => (method?.cache === undefined ? next(req) : cached(req, method, method.cache.ttlMs, next)));
  };
}
