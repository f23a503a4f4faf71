import { type CallMeta, isJunctionError, JunctionError, typeOf, type WireError } from '@junction/core';
import { type Invoke } from '../../edge';
import { type Fault, faultOf } from './errors';
import { type ServiceCatalog } from '../../catalog';
import { INTROSPECTION, signatureOf, splitName } from './introspection';
import { createResultTyper } from './result-types';

export interface XmlRpcDispatchOptions {
  invoke: Invoke;
  catalog: ServiceCatalog;
  /** Most calls in one `system.multicall` (gateway.maxBatch). */
  maxBatch: number;
  wire(err: unknown, where: string): WireError;
}

export type Outcome = { result: unknown } | { error: WireError };

const invalidParams = (message: string) => new JunctionError('INVALID_PARAMS', message);

/**
 * One XML-RPC method call: `service.method` with positional params, handed to the chain (the
 * provider maps positions onto the schema's declared param order), or one of the introspection
 * methods answered here. Never rejects.
 *
 * A single struct param is passed by position like any other: XML-RPC has no named params, and
 * guessing from the schema would make the same call mean two things.
 */
export function createXmlRpcDispatcher(opts: XmlRpcDispatchOptions): (method: string, params: unknown[], meta: CallMeta) => Promise<Outcome> {
  const { invoke, catalog, maxBatch } = opts;
  const typed = createResultTyper(catalog);

  async function introspect(method: string, params: unknown[], meta: CallMeta): Promise<unknown> {
    switch (method) {
      case 'system.listMethods': {
        const names = (await catalog.services(meta)).flatMap((s) => s.methods.map((m) => `${s.name}.${m.name}`));
        return [...new Set([...names, ...INTROSPECTION])].sort();
      }
      case 'system.methodHelp':
        return (await catalog.method(...splitName(nameParam(method, params)), meta)).description;
      case 'system.methodSignature': {
        const name = nameParam(method, params);
        if ((INTROSPECTION as readonly string[]).includes(name)) return 'undef';
        return signatureOf(await catalog.method(...splitName(name), meta));
      }
      default:
        return multicall(params, meta);
    }
  }

  async function multicall(params: unknown[], meta: CallMeta): Promise<unknown[]> {
    const calls = params[0];
    if (params.length !== 1 || !Array.isArray(calls)) {
      throw invalidParams(`system.multicall takes one param, an array of structs {methodName, params}; got ${params.length} param(s)${params.length === 1 ? ` of type ${typeOf(calls)}` : ''}`);
    }
    if (calls.length > maxBatch) throw new JunctionError('INVALID_REQUEST', `system.multicall has ${calls.length} calls; the limit is ${maxBatch} (gateway.maxBatch)`, { size: calls.length, limit: maxBatch });
    // Each call gets its own slot: a fault struct, or its result wrapped in a one-element array.
    return Promise.all(
      calls.map(async (entry, i): Promise<[unknown] | Fault> => {
        const where = `call ${i} of system.multicall`;
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
          return faultOf({ code: 'INVALID_REQUEST', message: `${where} must be a struct {methodName, params}, got ${typeOf(entry)}`, retryable: false });
        }
        const { methodName, params: p } = entry as { methodName?: unknown; params?: unknown };
        if (typeof methodName !== 'string') return faultOf({ code: 'INVALID_REQUEST', message: `${where}: methodName must be a string, got ${typeOf(methodName)}`, retryable: false });
        if (methodName === 'system.multicall') return faultOf({ code: 'INVALID_REQUEST', message: `${where}: system.multicall cannot be called within system.multicall`, retryable: false });
        if (p !== undefined && !Array.isArray(p)) return faultOf({ code: 'INVALID_REQUEST', message: `${where}: params must be an array, got ${typeOf(p)}`, retryable: false });
        const out = await call(methodName, (p ?? []) as unknown[], meta);
        return 'error' in out ? faultOf(out.error) : [out.result];
      }),
    );
  }

  async function call(method: string, params: unknown[], meta: CallMeta): Promise<Outcome> {
    if ((INTROSPECTION as readonly string[]).includes(method)) {
      try {
        return { result: await introspect(method, params, meta) };
      } catch (err) {
        return { error: isJunctionError(err) ? err.toWire() : opts.wire(err, `answering ${method}`) };
      }
    }
    const dot = method.indexOf('.');
    if (dot <= 0 || dot === method.length - 1) {
      return { error: new JunctionError('METHOD_NOT_FOUND', `no method "${method}": methods are named "service.method", e.g. "calc.subtract"`, { method }).toWire() };
    }
    const [service, name] = [method.slice(0, dot), method.slice(dot + 1)];
    const reply = await invoke(service, name, params, meta);
    // Typed here, not in the route, so each slot of a system.multicall is typed too.
    return reply.error === undefined ? { result: await typed(service, name, reply.result ?? null, meta) } : { error: reply.error };
  }

  return call;
}

function nameParam(method: string, params: unknown[]): string {
  const name = params[0];
  if (params.length !== 1 || typeof name !== 'string') {
    throw invalidParams(`${method} takes one string param, a method's name as "service.method"; got ${params.length} param(s)${params.length === 1 ? ` of type ${typeOf(name)}` : ''}`);
  }
  return name;
}
