import { type CallMeta, compileReviver, type MethodDescription, type Reviver } from '@junction/core';
import { type ServiceCatalog } from '../../catalog';

/** A result in wire form, typed for XML-RPC by its method's result schema. */
export type ResultTyper = (service: string, method: string, result: unknown, meta: CallMeta) => Promise<unknown>;

const untyped: Reviver = (value) => value;

/**
 * Results cross the envelope as JSON, so a date is an ISO string and bytes are base64 text. XML-RPC
 * has types of their own: this turns the strings at the result schema's `format: date-time` and
 * `contentEncoding: base64` positions back into a Date and bytes, which the serializer writes as
 * `<dateTime.iso8601>` and `<base64>`. The reviver is built once per method description (the
 * catalog hands out the same object until it refreshes).
 *
 * A number, boolean or null cannot hold either, so it skips the catalog. If the catalog cannot
 * say (system.describe fails) the result goes out untyped, as strings, rather than not at all.
 */
export function createResultTyper(catalog: ServiceCatalog): ResultTyper {
  const revivers = new WeakMap<MethodDescription, Reviver>();
  const reviverOf = (m: MethodDescription): Reviver => {
    let r = revivers.get(m);
    if (r === undefined) {
      try {
        r = compileReviver(m.result);
      } catch {
        r = untyped;
      }
      revivers.set(m, r);
    }
    return r;
  };
  return async (service, method, result, meta) => {
    if (typeof result !== 'string' && (typeof result !== 'object' || result === null)) return result;
    let m: MethodDescription;
    try {
      m = await catalog.method(service, method, meta);
    } catch {
      return result;
    }
    return reviverOf(m)(result);
  };
}
