import { accessRefusal } from '../provider/access';
import { type Link, type LinkDeps, withMethod } from './proxy';

/**
 * Enforces a method's `access` roles at the edge, before the call costs a queue slot, a transport
 * hop or a worker: UNAUTHENTICATED or FORBIDDEN, exactly as the provider would answer. When the
 * flags are unknown (describe failed) it steps aside rather than refuse: the provider enforces the
 * same roles on every call, service-to-service calls included, so nothing gets through that should not.
 */
export function createAccess(deps: Pick<LinkDeps, 'methods'>): Link {
  return (next) => (req) =>
    withMethod(deps.methods(req), (method) => {
      if (method?.access === undefined) return next(req);
      const refusal = accessRefusal(`${req.service}.${req.method}`, method.access, req.meta.caller);
      return refusal === undefined ? next(req) : Promise.resolve({ id: req.id, error: refusal.toWire() });
    });
}
