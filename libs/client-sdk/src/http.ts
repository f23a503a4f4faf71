import { type ErrorCode, JunctionCallError } from './errors';

/** The `fetch` the SDK calls: the platform's, or one injected (a test's, `fastify.inject`'s). */
export type Fetch = typeof fetch;

/** An HTTP answer, read whole. */
export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** The deadline sent to the gateway: the HTTP request is abandoned GRACE_MS after it. */
  timeoutMs?: number;
  /** What is being sent, for messages: `calc.subtract`, `a batch of 3 calls`. */
  what: string;
}

/**
 * How long after the deadline sent to the gateway the client still waits for an answer. The
 * gateway answers TIMEOUT itself at the deadline; this only bounds a gateway or network that says
 * nothing at all.
 */
export const GRACE_MS = 2_000;

/** The settings of one client that every request needs. */
export interface Endpoint {
  /** The gateway's base URL, without a trailing slash, as messages show it. */
  base: string;
  /** `{base}/rpc`. */
  rpcUrl: string;
  fetch: Fetch;
}

/**
 * POSTs a JSON body and reads the whole answer. Rejects with a JunctionCallError UNAVAILABLE when
 * no answer came, TIMEOUT when none came within the deadline and its grace, or the signal's reason
 * when the caller aborted.
 */
export async function post(endpoint: Endpoint, body: string, opts: PostOptions): Promise<Answer> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const abort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  let timedOut = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, opts.timeoutMs + GRACE_MS);
  try {
    const res = await endpoint.fetch(endpoint.rpcUrl, { method: 'POST', headers: opts.headers, body, signal: controller.signal });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) {
      throw new JunctionCallError(
        'TIMEOUT',
        `no answer to ${opts.what} from the gateway at ${endpoint.base} within ${opts.timeoutMs} ms and ${GRACE_MS} ms of grace; the gateway or the network between is stuck`,
        { cause: err },
      );
    }
    // A browser hides why (DNS, refused, CORS) behind one "Failed to fetch": name the usual suspect.
    const cors = inBrowser() ? `, and that it allows this page's origin (CORS)` : '';
    throw new JunctionCallError('UNAVAILABLE', `cannot reach the gateway at ${endpoint.base}: ${describe(err)}; check the url and that the gateway is running${cors}`, { cause: err });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

const inBrowser = () => typeof (globalThis as { document?: unknown }).document === 'object';

/** The innermost useful text of a fetch failure: Node's `fetch failed` hides the reason in `cause`. */
function describe(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown } | null | undefined;
  if (e?.cause !== undefined && e.cause !== null) return describe(e.cause);
  // Node tries every address of a name (IPv4 and IPv6) and reports all in an AggregateError without a message.
  if (Array.isArray(e?.errors) && e.errors.length > 0) return e.errors.map(describe).join('; ');
  if (typeof e?.message === 'string' && e.message !== '') return e.message;
  if (typeof e?.code === 'string') return e.code;
  return String(err);
}

/** The code of an answer that is not JSON-RPC, by its HTTP status (a proxy in front of the gateway answers these). */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 429:
      return 'OVERLOADED';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'TIMEOUT';
    default:
      return 'INTERNAL';
  }
}

/** An answer that is not what JSON-RPC answers to this request. */
export function badAnswer(endpoint: Endpoint, answer: Answer, what: string, target?: string): JunctionCallError {
  const type = answer.contentType === '' ? '' : ` (${answer.contentType})`;
  const shown = answer.text === '' ? 'an empty body' : JSON.stringify(answer.text.length > 120 ? `${answer.text.slice(0, 120)}...` : answer.text);
  return new JunctionCallError(
    codeOfStatus(answer.status),
    `POST ${endpoint.rpcUrl} answered ${what} with HTTP ${answer.status}${type} and ${shown}, not a JSON-RPC response; check that ${endpoint.base} is a Junction gateway (or the proxy in front of one)`,
    { httpStatus: answer.status, target },
  );
}
