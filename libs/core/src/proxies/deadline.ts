import { type DeadlineProxyConfig, type Link } from './proxy';

/** Gives every request a deadline: the caller's, capped at `maxMs`, or `defaultMs` from now. */
export function createDeadline(config: DeadlineProxyConfig): Link {
  return (next) => (req) => {
    const now = Date.now();
    const cap = config.maxMs === undefined ? Infinity : now + config.maxMs;
    const deadline = Math.min(req.meta.deadline ?? now + config.defaultMs, cap);
    return deadline === req.meta.deadline ? next(req) : next({ ...req, meta: { ...req.meta, deadline } });
  };
}
