import { errors } from '../errors';
import { type Handler, type RouteProxyConfig, type TerminalProxyConfig } from './proxy';

/** Terminal: picks a terminal per service; `'*'` takes every service not named. */
export function createRoute(config: RouteProxyConfig, terminal: (c: TerminalProxyConfig) => Handler): Handler {
  const table = new Map<string, Handler>();
  for (const [service, target] of Object.entries(config.routes)) table.set(service, terminal(target));
  const fallback = table.get('*');
  return (req) => {
    const next = table.get(req.service) ?? fallback;
    if (next === undefined) return Promise.resolve({ id: req.id, error: errors.methodNotFound(req.service).toWire() });
    return next(req);
  };
}
