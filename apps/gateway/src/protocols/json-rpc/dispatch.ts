import { type Args, type CallMeta, JunctionError, typeOf, type WireError } from '@junction/core';
import { type Invoke } from '../../edge';
import { serviceOf } from '../protocol';
import { rpcError, type RpcId, type RpcResponse } from './errors';

/**
 * A method of the `rpc.` namespace, which the specification reserves for the protocol itself:
 * answered by the gateway (`rpc.discover`), never handed to a service. Never rejects. `context`
 * is what the route passes with each body (its request).
 */
export type ReservedMethod<C> = (params: unknown, meta: CallMeta, context: C) => Promise<{ result: unknown } | { error: WireError }>;

export interface DispatchOptions<C> {
  invoke: Invoke;
  /** Most calls in one batch (gateway.maxBatch). */
  maxBatch: number;
  /** The `rpc.*` methods answered here, by full name; any other `rpc.*` is METHOD_NOT_FOUND. */
  reserved?: Readonly<Record<string, ReservedMethod<C>>>;
}

const RESERVED = 'rpc.';

/** What to answer: a JSON text, or nothing (HTTP 204) when every call was a notification. */
export interface Outcome {
  body: string | undefined;
  /** Some call was refused by a full queue: the client should wait before retrying. */
  overloaded: boolean;
}

const NOTHING: Outcome = { body: undefined, overloaded: false };

const invalid = (message: string, data?: unknown): RpcResponse =>
  rpcError(null, { code: 'INVALID_REQUEST', message, data });

const isOverloaded = (r: RpcResponse | undefined) => r !== undefined && 'error' in r && r.error.data.code === 'OVERLOADED';

/**
 * JSON-RPC 2.0 over already parsed JSON: single calls, batches (run in parallel), notifications,
 * params by name or position, and the specification's error codes and `id` rules.
 *
 * Our own rather than jayson's Server (checked against jayson 5.0.0): it treats `"id": null` as a
 * notification and answers nothing, where the specification answers; it refuses an oversized batch
 * with -32099, outside the specification's codes, and answers unknown methods and invalid
 * requests with fixed messages that name nothing; and a batch of nested arrays (`[[...]]`) never
 * calls back, so the HTTP request would hang. Tests use jayson's HTTP client.
 */
export function createDispatcher<C = undefined>({ invoke, maxBatch, reserved = {} }: DispatchOptions<C>): (body: unknown, meta: CallMeta, context: C) => Promise<Outcome> {
  async function call(entry: unknown, meta: CallMeta, where: string, context: C): Promise<RpcResponse | undefined> {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return invalid(`${where} must be an object with "jsonrpc": "2.0" and "method", got ${typeOf(entry)}`, { actual: typeOf(entry) });
    }
    const r = entry as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
    if (r.jsonrpc !== '2.0') return invalid(`${where}: "jsonrpc" must be "2.0", got ${shown(r.jsonrpc)}`, { member: 'jsonrpc' });
    const { id, method, params } = r;
    if (typeof method !== 'string') return invalid(`${where}: "method" must be a string, got ${shown(method)}`, { member: 'method' });
    if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') {
      return invalid(`${where}: "id" must be a string, a number or null, got ${typeOf(id)}`, { member: 'id' });
    }
    if (params !== undefined && (typeof params !== 'object' || params === null)) {
      return invalid(`${where}: "params" must be an object (by name) or an array (by position), got ${typeOf(params)}`, { member: 'params' });
    }
    if (method.startsWith(RESERVED)) return own(method, params, id, meta, context);
    const args = (params ?? {}) as Args;
    const dot = method.indexOf('.');
    const named = dot > 0 && dot < method.length - 1;
    // A request without "id" is a notification: handed on, never answered, not even with an error.
    if (id === undefined) {
      if (named) void invoke(method.slice(0, dot), method.slice(dot + 1), args, { ...meta, oneWay: true });
      return undefined;
    }
    if (!named) {
      return rpcError(id, new JunctionError('METHOD_NOT_FOUND', `no method "${method}": methods are named "service.method", e.g. "calc.subtract"`, { method }).toWire());
    }
    const reply = await invoke(method.slice(0, dot), method.slice(dot + 1), args, meta);
    return reply.error === undefined ? { jsonrpc: '2.0', result: reply.result ?? null, id } : rpcError(id, reply.error);
  }

  async function own(method: string, params: unknown, id: RpcId | undefined, meta: CallMeta, context: C): Promise<RpcResponse | undefined> {
    // Not even a service named "rpc" is reached by these names. A notification has no answer to give.
    if (id === undefined) return undefined;
    const answer = Object.hasOwn(reserved, method) ? reserved[method] : undefined;
    if (answer === undefined) {
      return rpcError(id, new JunctionError('METHOD_NOT_FOUND', `no method "${method}": names beginning with "rpc." are reserved for the protocol; this gateway answers ${Object.keys(reserved).join(', ') || 'none of them'}`, { method }).toWire());
    }
    const reply = await answer(params, meta, context);
    return 'error' in reply ? rpcError(id, reply.error) : { jsonrpc: '2.0', result: reply.result, id };
  }

  async function batch(list: unknown[], meta: CallMeta, context: C): Promise<Outcome> {
    if (list.length === 0) return answer(invalid('the batch is empty; send at least one request', { size: 0 }));
    if (list.length > maxBatch) {
      return answer(invalid(`the batch has ${list.length} requests; the limit is ${maxBatch} (gateway.maxBatch)`, { size: list.length, limit: maxBatch }));
    }
    const pending: Promise<RpcResponse | undefined>[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) pending[i] = call(list[i], meta, `request ${i} of the batch`, context);
    const responses: RpcResponse[] = [];
    let overloaded = false;
    for (const r of await Promise.all(pending)) {
      if (r === undefined) continue;
      responses.push(r);
      overloaded ||= isOverloaded(r);
    }
    return responses.length === 0 ? NOTHING : { body: JSON.stringify(responses), overloaded };
  }

  return async (body, meta, context) => {
    if (Array.isArray(body)) return batch(body, meta, context);
    const response = await call(body, meta, 'the request', context);
    return response === undefined ? NOTHING : answer(response);
  };
}

function answer(response: RpcResponse): Outcome {
  return { body: JSON.stringify(response), overloaded: isOverloaded(response) };
}

/**
 * The service a JSON-RPC body's first call is to (`calc` of `"method": "calc.subtract"`), by which a
 * trace that starts with the request is sampled; undefined when the body names none.
 */
export function firstService(body: unknown): string | undefined {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  const method = typeof first === 'object' && first !== null ? (first as { method?: unknown }).method : undefined;
  return typeof method === 'string' ? serviceOf(method) : undefined;
}

/** One error answer for the whole body (parse error, refused request): `id` is null, as the specification says. */
export function refusal(error: WireError): string {
  return JSON.stringify(rpcError(null, error));
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${typeOf(value)} ${text.slice(0, 40)}...` : text;
}
