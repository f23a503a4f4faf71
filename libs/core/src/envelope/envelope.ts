import { type WireError } from '../errors';

/** Who is calling: established at the edge (API key, later a real scheme) and carried on every hop. */
export interface Caller {
  readonly identity: string;
  readonly roles: readonly string[];
}

/** Arguments by name (an object) or by position (an array, mapped by the params schema's order). */
export type Args = Record<string, unknown> | unknown[];

export interface CallMeta {
  /** W3C trace context, `00-<trace id>-<span id>-<flags>`. */
  traceparent?: string;
  /** Epoch milliseconds after which nobody waits for the reply any more. */
  deadline?: number;
  caller?: Caller;
  /** 1 for the first try; the retry proxy counts up. */
  attempt?: number;
  /** A notification: the caller wants no reply (JSON-RPC notifications, fire-and-forget). */
  oneWay?: boolean;
  /**
   * Set by a transport that delivers this request again after its first server died holding it.
   * The provider runs it again only if the method is idempotent.
   */
  redelivered?: boolean;
}

export interface CallRequest {
  id: string;
  service: string;
  method: string;
  args: Args;
  meta: CallMeta;
}

export type CallReply = { id: string; result: unknown; error?: undefined } | { id: string; error: WireError; result?: undefined };

export const ENVELOPE_VERSION = 1;

/** What remote transports carry: a versioned request or reply. */
export type Envelope = ({ v: typeof ENVELOPE_VERSION; kind: 'request' } & CallRequest) | ({ v: typeof ENVELOPE_VERSION; kind: 'reply' } & CallReply);

export function isErrorReply(reply: CallReply): reply is { id: string; error: WireError } {
  return reply.error !== undefined;
}
