import { createClient } from '@junction/client-sdk';
import { type PlatformClient } from './page';

/** Answers HTTP requests in process: `(url, init) => Response`, the shape of `fetch`. */
export type Fetch = typeof fetch;

export interface PlatformClientOptions {
  /** The gateway's base URL: `http://127.0.0.1:8080` standalone; any origin when `fetch` answers in process. */
  url: string;
  /** How requests reach the gateway; the global `fetch` when absent. */
  fetch?: Fetch;
  /** Deadline of each call, unless a call sets its own; the gateway's default when absent. */
  timeoutMs?: number;
}

/**
 * The console's way to the platform: JSON-RPC through the gateway with `@junction/client-sdk`,
 * as the signed-in user (their API key), so the platform's own access rules apply to them.
 */
export function createPlatformClient(opts: PlatformClientOptions): PlatformClient {
  const sdk = createClient({ url: opts.url, fetch: opts.fetch, timeoutMs: opts.timeoutMs });
  return {
    call: <T>(target: string, args?: Record<string, unknown>, call: Parameters<PlatformClient['call']>[2] = {}) =>
      sdk.call<T>(target, args ?? {}, { key: call.user?.key, traceparent: call.traceparent, timeoutMs: call.timeoutMs }),
  };
}

/** What `app.inject` needs: enough of a Fastify instance to answer a request without a socket. */
interface Injectable {
  inject(opts: { method: 'POST'; url: string; headers: Record<string, string>; payload: string }): PromiseLike<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
}

/**
 * A `fetch` that hands each request to a Fastify app with `inject`: the console mounted in the
 * gateway calls the gateway with no network hop, through the same routes, auth and limits as any client.
 */
export function injectFetch(app: Injectable): Fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    init.signal?.throwIfAborted();
    const res = await app.inject({ method: 'POST', url: url.pathname + url.search, headers, payload: typeof init.body === 'string' ? init.body : '' });
    const out = new Headers();
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: out });
  }) as Fetch;
}
