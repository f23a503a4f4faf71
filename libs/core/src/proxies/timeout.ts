import { type TimeoutProxyConfig } from '../config/schema';
import { type Link, type LinkDeps, withMethod } from './proxy';

/**
 * Gives every call a deadline before the links that need one (retry stops at it, a shared cache
 * miss is bounded by it): the tightest of the caller's (or `defaultMs` from now when it sent none),
 * the method's `timeoutMs`, and `maxMs` from now. Registered as `timeout` and, by its old name,
 * `deadline`.
 */
export function createTimeout(config: TimeoutProxyConfig, deps: Pick<LinkDeps, 'clock' | 'methods'>): Link {
  return (next) => (req) =>
    withMethod(deps.methods(req), (method) => {
      const now = deps.clock.now();
      const deadline = Math.min(
        req.meta.deadline ?? now + config.defaultMs,
        config.maxMs === undefined ? Infinity : now + config.maxMs,
        method?.timeoutMs === undefined ? Infinity : now + method.timeoutMs,
      );
      return deadline === req.meta.deadline ? next(req) : next({ ...req, meta: { ...req.meta, deadline } });
    });
}
