import { fromRpcError, JunctionCallError } from './errors';
import { type Answer, badAnswer, type Endpoint, type Fetch, post } from './http';
import { type Args, type BatchCall, type BatchOutcome, type CallOptions, type ServiceClient, type ServiceLike } from './types';

export interface ClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`; calls go to `{url}/rpc`. */
  url: string;
  /** API key, sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** Deadline of every call in milliseconds, sent as `x-junction-timeout-ms`; the gateway's default when absent. */
  timeoutMs?: number;
  /** The `fetch` to use; the global one when absent. */
  fetch?: typeof fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
}

export interface JunctionClient {
  /** The gateway's base URL, without a trailing slash. */
  readonly url: string;
  /** Calls `service.method` and resolves with its result; rejects with a JunctionCallError. */
  call<T = unknown>(target: string, args?: Args, opts?: CallOptions): Promise<T>;
  /** Sends a JSON-RPC notification: the gateway hands the call on and answers nothing, not even its errors. */
  notify(target: string, args?: Args, opts?: CallOptions): Promise<void>;
  /**
   * Sends calls in one HTTP request; the gateway runs them in parallel. Resolves with one outcome
   * per call, in order; rejects only when the batch as a whole was refused or got no answer.
   */
  batch(calls: readonly BatchCall[], opts?: CallOptions): Promise<BatchOutcome[]>;
  /** The methods of service `name` as functions, typed from its definition: `client.service<typeof calc>('calc').subtract({...})`. */
  service<S extends ServiceLike = ServiceLike>(name: string): ServiceClient<S>;
}

export const TIMEOUT_HEADER = 'x-junction-timeout-ms';
const TARGET = /^[^.\s]+\.[^\s]+$/;
const POSITIVE_INT = /^[1-9][0-9]{0,14}$/;

type RpcReply = { jsonrpc: '2.0'; id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };

const isReply = (v: unknown): v is RpcReply =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (v as RpcReply).jsonrpc === '2.0' && ('result' in v || (typeof (v as RpcReply).error === 'object' && (v as RpcReply).error !== null));

/**
 * A client of one gateway, speaking JSON-RPC 2.0 over `POST {url}/rpc` with `fetch` only, so it
 * runs in Node and in browsers alike.
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:8080', key: process.env.JUNCTION_API_KEY });
 * await client.call<number>('calc.subtract', { minuend: 42, subtrahend: 23 }); // 19
 * await client.service<typeof calc>('calc').subtract({ minuend: 42, subtrahend: 23 }); // typed: Promise<number>
 */
export function createClient(opts: ClientOptions): JunctionClient {
  const endpoint = endpointOf(opts);
  if (opts.timeoutMs !== undefined && !POSITIVE_INT.test(String(opts.timeoutMs))) {
    throw new TypeError(`createClient: timeoutMs must be a positive integer of milliseconds, got ${String(opts.timeoutMs)}`);
  }
  let nextId = 1;

  /** Headers of one request, by lower-case name: the more specific setting wins. */
  function settings(call: CallOptions | undefined, what: string) {
    const timeoutMs = call?.timeoutMs ?? opts.timeoutMs;
    if (timeoutMs !== undefined && !POSITIVE_INT.test(String(timeoutMs))) {
      throw new JunctionCallError('INVALID_REQUEST', `timeoutMs of ${what} must be a positive integer of milliseconds, got ${String(timeoutMs)}`);
    }
    const headers: Record<string, string> = {};
    const set = (from: Record<string, string> | undefined) => {
      for (const [name, value] of Object.entries(from ?? {})) headers[name.toLowerCase()] = value;
    };
    set(opts.headers);
    set({ 'content-type': 'application/json', accept: 'application/json' });
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    set(call?.headers);
    if (call?.key) headers.authorization = `Bearer ${call.key}`;
    if (timeoutMs !== undefined) headers[TIMEOUT_HEADER] = String(timeoutMs);
    if (call?.traceparent !== undefined) headers.traceparent = call.traceparent;
    return { headers, timeoutMs, signal: call?.signal, what };
  }

  async function exchange(body: unknown, call: CallOptions | undefined, what: string, target?: string): Promise<{ answer: Answer; reply: unknown }> {
    const answer = await post(endpoint, encode(body, what, target), settings(call, what));
    if (answer.status === 204 || answer.text === '') return { answer, reply: undefined };
    try {
      return { answer, reply: JSON.parse(answer.text) };
    } catch {
      throw badAnswer(endpoint, answer, what, target);
    }
  }

  async function call<T>(target: string, args?: Args, opts?: CallOptions): Promise<T> {
    checkCall(target, args);
    const id = nextId++;
    const { answer, reply } = await exchange({ jsonrpc: '2.0', method: target, ...paramsOf(args), id }, opts, target, target);
    if (!isReply(reply)) throw badAnswer(endpoint, answer, target, target);
    if (reply.error !== undefined) throw fromRpcError(reply.error, answer.status, target);
    // A whole-request refusal has id null; any other id answers some other request.
    if (reply.id !== id) throw badAnswer(endpoint, answer, `${target} (request id ${id})`, target);
    return reply.result as T;
  }

  async function notify(target: string, args?: Args, opts?: CallOptions): Promise<void> {
    checkCall(target, args);
    const what = `the notification ${target}`;
    const { answer, reply } = await exchange({ jsonrpc: '2.0', method: target, ...paramsOf(args) }, opts, what, target);
    if (answer.status === 204) return;
    // Only a refusal of the whole request (bad key, bad header) is answered.
    if (isReply(reply) && reply.error !== undefined) throw fromRpcError(reply.error, answer.status, target);
    throw badAnswer(endpoint, answer, what, target);
  }

  async function batch(calls: readonly BatchCall[], opts?: CallOptions): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = new Array(calls.length);
    const sent: { index: number; id: number; target: string }[] = [];
    const requests: unknown[] = [];
    calls.forEach(({ target, args }, index) => {
      try {
        checkCall(target, args);
      } catch (error) {
        outcomes[index] = { ok: false, error: error as JunctionCallError };
        return;
      }
      const id = nextId++;
      sent.push({ index, id, target });
      requests.push({ jsonrpc: '2.0', method: target, ...paramsOf(args), id });
    });
    if (requests.length === 0) return outcomes;
    const what = `a batch of ${requests.length} call(s)`;
    const { answer, reply } = await exchange(requests, opts, what);
    if (!Array.isArray(reply)) {
      if (isReply(reply) && reply.error !== undefined) throw fromRpcError(reply.error, answer.status);
      throw badAnswer(endpoint, answer, what);
    }
    const byId = new Map<unknown, RpcReply>();
    for (const r of reply) if (isReply(r)) byId.set(r.id, r);
    for (const { index, id, target } of sent) {
      const r = byId.get(id);
      if (r === undefined) {
        const error = new JunctionCallError('INTERNAL', `the gateway at ${endpoint.base} sent no answer for call ${index} (${target}, id ${id}) of ${what}`, { target, httpStatus: answer.status });
        outcomes[index] = { ok: false, error };
      } else {
        outcomes[index] = r.error === undefined ? { ok: true, result: r.result } : { ok: false, error: fromRpcError(r.error, answer.status, target) };
      }
    }
    return outcomes;
  }

  function service<S extends ServiceLike>(name: string): ServiceClient<S> {
    if (typeof name !== 'string' || !/^[^.\s]+$/.test(name)) {
      throw new TypeError(`client.service(name): name must be a service name without dots, e.g. "calc", got ${JSON.stringify(name)}`);
    }
    const methods = new Map<string, (args?: Args, opts?: CallOptions) => Promise<unknown>>();
    return new Proxy(Object.create(null) as ServiceClient<S>, {
      get(_target, prop) {
        // Not methods: what `await`, JSON.stringify and inspectors look for on any object.
        if (typeof prop !== 'string' || prop === 'then' || prop === 'toJSON') return undefined;
        let fn = methods.get(prop);
        if (fn === undefined) methods.set(prop, (fn = (args, o) => call(`${name}.${prop}`, args, o)));
        return fn;
      },
    });
  }

  return { url: endpoint.base, call, notify, batch, service };
}

function endpointOf(opts: ClientOptions): Endpoint {
  let parsed: URL | undefined;
  try {
    parsed = new URL(opts.url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError(`createClient: url must be the gateway's absolute http(s) URL, e.g. http://127.0.0.1:8080, got ${JSON.stringify(opts.url)}`);
  }
  // Kept as written, less a trailing slash, so a gateway behind a path prefix (/junction/rpc) works.
  const base = opts.url.replace(/\/+$/, '');
  const given = opts.fetch;
  if (given === undefined && typeof globalThis.fetch !== 'function') {
    throw new TypeError('createClient: this runtime has no global fetch (Node < 18?); pass one as ClientOptions.fetch');
  }
  // Looked up at each call, and called on globalThis: browsers refuse a fetch detached from window.
  const fetch: Fetch = given ?? ((input, init) => globalThis.fetch(input, init));
  return { base, rpcUrl: `${base}/rpc`, fetch };
}

function checkCall(target: string, args: unknown): void {
  if (typeof target !== 'string' || !TARGET.test(target)) {
    throw new JunctionCallError('METHOD_NOT_FOUND', `methods are named "service.method", e.g. "calc.subtract", got ${JSON.stringify(target)}`, { target });
  }
  if (args !== undefined && (typeof args !== 'object' || args === null)) {
    throw new JunctionCallError('INVALID_PARAMS', `args of ${target} must be an object (by name) or an array (by position), got ${args === null ? 'null' : typeof args}`, { target });
  }
}

const paramsOf = (args: Args | undefined) => (args === undefined ? {} : { params: args });

/** JSON text of a request; a `Uint8Array` (or Buffer) travels as base64, as the platform expects. */
function encode(body: unknown, what: string, target?: string): string {
  try {
    return JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array ? base64(raw) : value;
    });
  } catch (err) {
    throw new JunctionCallError('INVALID_PARAMS', `args of ${what} cannot be sent as JSON: ${(err as Error).message}`, { target, cause: err });
  }
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  // In chunks: String.fromCharCode(...bytes) overflows the stack on large arrays.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
