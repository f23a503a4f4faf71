import { errors } from '../errors';
import { type Link } from './proxy';

/**
 * Answers METHOD_NOT_FOUND for a service the deployment's config does not name, before it is
 * sent anywhere: a remote transport can only say "nobody serves it" (UNAVAILABLE), which is the
 * wrong answer for a name that never existed.
 */
export function knownServices(names: Iterable<string>): Link {
  const known = new Set(names);
  return (next) => (req) => (known.has(req.service) ? next(req) : Promise.resolve({ id: req.id, error: errors.methodNotFound(req.service).toWire() }));
}
