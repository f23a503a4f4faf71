import { type RetryProxyConfig } from '../config/schema';
import { type CallReply, type CallRequest } from '../envelope';
import { openSpan } from '../tracing/open-span';
import { type Link, type LinkDeps } from './proxy';

// TIMEOUT only when the call's own deadline is still ahead: then it was one try that missed its deadline.
const RETRYABLE = new Set(['UNAVAILABLE', 'OVERLOADED', 'TIMEOUT']);

/**
 * A circuit breaker's refusal: it has just said the target is down. Trying again would wait for
 * the circuit to half-open, where the breaker exists to answer at once.
 */
function refusedByBreaker(reply: CallReply): boolean {
  return typeof (reply.error?.data as { circuit?: unknown } | undefined)?.circuit === 'string';
}

/**
 * Tries an `idempotent` method again after UNAVAILABLE, OVERLOADED or the TIMEOUT of one try,
 * with exponential backoff, half of it random (jitter: retries of many callers spread out instead
 * of arriving together), never past the call's deadline, and never after an open circuit's refusal. Each try carries `meta.attempt` (1, 2, ...)
 * and an id of its own, so a late reply to one try is never taken for another's. A method that is
 * not idempotent, or whose flags are unknown (describe failed), is tried once.
 */
export function createRetry(config: RetryProxyConfig, deps: Pick<LinkDeps, 'clock' | 'random' | 'methods' | 'metrics' | 'tracer'>): Link {
  const { clock } = deps;
  const backoff = (retry: number): number => {
    const full = Math.min(config.maxBackoffMs, config.baseMs * 2 ** (retry - 1));
    return full / 2 + (deps.random() * full) / 2;
  };

  return (next) => async (req) => {
    if (req.meta.oneWay === true || config.attempts === 1) return next(req);
    const method = await deps.methods(req);
    if (method?.idempotent !== true) return next(req);
    const deadline = req.meta.deadline ?? Infinity;
    const first = req.meta.attempt ?? 1;

    const attempt = async (n: number): Promise<CallReply> => {
      const perTry = config.attemptTimeoutMs === undefined ? deadline : Math.min(deadline, clock.now() + config.attemptTimeoutMs);
      const meta = { ...req.meta, attempt: first + n, ...(perTry === Infinity ? {} : { deadline: perTry }) };
      const tried: CallRequest = { ...req, id: n === 0 ? req.id : `${req.id}.${first + n}`, meta };
      // Each try is a span of its own, the parent of what that try reached.
      const span = openSpan(deps.tracer, tried, 'proxy');
      if (span === undefined) return next(tried);
      const reply = await next(span.req);
      span.end(`retry attempt ${first + n}`, reply, { attempt: first + n });
      return reply;
    };

    let reply = await attempt(0);
    for (let n = 1; n < config.attempts; n++) {
      if (reply.error === undefined || !RETRYABLE.has(reply.error.code) || refusedByBreaker(reply)) break;
      const wait = backoff(n);
      // A try that could not even start before the deadline would only turn this error into TIMEOUT.
      if (clock.now() + wait >= deadline) break;
      deps.metrics?.retry(req, reply.error.code);
      await clock.sleep(wait);
      reply = await attempt(n);
    }
    return reply.id === req.id ? reply : { ...reply, id: req.id };
  };
}
