import { type RouteProxyConfig, type TerminalProxyConfig } from '../config/schema';
import { type CallRequest } from '../envelope';
import { errors } from '../errors';
import { type Terminal } from './proxy';

const ROUTE_KEY = /^(\*|[a-z][a-zA-Z0-9]*(\.[a-zA-Z_][a-zA-Z0-9_]*)?)$/;

/**
 * Terminal: picks a terminal per call by `service.method`, else by `service`, else `'*'`. Two
 * services of one gateway can so go over two transports, and one heavy method over a third.
 */
export function createRoute(config: RouteProxyConfig, terminal: (c: TerminalProxyConfig) => Terminal): Terminal {
  const table = new Map<string, Terminal>();
  for (const [key, target] of Object.entries(config.routes)) {
    if (!ROUTE_KEY.test(key)) throw new Error(`proxy "route": the route "${key}" names no service; a route is keyed by a service ("render"), a method ("render.thumbnail") or "*" for every other`);
    table.set(key, terminal(target));
  }
  const fallback = table.get('*');
  // Method routes are rare: without any, a call costs one lookup.
  const byMethod = [...table.keys()].some((k) => k.includes('.'));
  const find = (req: CallRequest): Terminal | undefined => (byMethod ? table.get(`${req.service}.${req.method}`) : undefined) ?? table.get(req.service) ?? fallback;
  return {
    call(req) {
      const next = find(req);
      if (next === undefined) return Promise.resolve({ id: req.id, error: errors.methodNotFound(req.service).toWire() });
      return next.call(req);
    },
    target: (req) => find(req)?.target(req) ?? 'none',
  };
}
