/**
 * The platform's error codes (DESIGN.md, "Errors") with their JSON-RPC numbers and whether a
 * retry may succeed. A copy of core's catalogue, not an import: the SDK runs in browsers and
 * carries no runtime code of core. `errors.spec.ts` checks the copy against core and the gateway.
 */
export const ERROR_CODES = Object.freeze({
  PARSE_ERROR: { rpcCode: -32700, retryable: false },
  INVALID_REQUEST: { rpcCode: -32600, retryable: false },
  METHOD_NOT_FOUND: { rpcCode: -32601, retryable: false },
  INVALID_PARAMS: { rpcCode: -32602, retryable: false },
  INTERNAL: { rpcCode: -32603, retryable: false },
  SERVICE_ERROR: { rpcCode: -32000, retryable: false },
  TIMEOUT: { rpcCode: -32001, retryable: true },
  OVERLOADED: { rpcCode: -32002, retryable: true },
  UNAUTHENTICATED: { rpcCode: -32003, retryable: false },
  FORBIDDEN: { rpcCode: -32004, retryable: false },
  UNAVAILABLE: { rpcCode: -32005, retryable: true },
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);

/** The code of a JSON-RPC error number, for servers that send no `data.code`. */
export function codeOfRpc(rpcCode: number): ErrorCode {
  for (const [code, { rpcCode: n }] of Object.entries(ERROR_CODES)) if (n === rpcCode) return code as ErrorCode;
  return 'INTERNAL';
}

export interface CallErrorInit {
  /** The `service.method` called; absent when the whole request or batch was refused. */
  target?: string;
  rpcCode?: number;
  details?: unknown;
  data?: unknown;
  httpStatus?: number;
  cause?: unknown;
}

/**
 * A call that failed: refused or failed by the gateway (its JSON-RPC error, revived), or never
 * answered (`UNAVAILABLE`: network; `TIMEOUT`: no answer in time), or answered with something
 * that is not JSON-RPC (`INTERNAL`, naming the HTTP status).
 *
 * @example
 * try {
 *   await client.call('calc.divide', [1, 0]);
 * } catch (err) {
 *   if (isJunctionCallError(err) && err.code === 'SERVICE_ERROR') console.log(err.details); // { reason: 'DIVISION_BY_ZERO', ... }
 * }
 */
export class JunctionCallError extends Error {
  override readonly name = 'JunctionCallError';
  /** The stable string code, e.g. `'INVALID_PARAMS'`; a code this SDK does not know is kept as sent. */
  readonly code: string;
  /** The JSON-RPC error number (-32602 ...). */
  readonly rpcCode: number;
  /** What was wrong where: for INVALID_PARAMS `{ problems: [{ path, ... }] }`, for SERVICE_ERROR the handler's `{ reason, ... }`. */
  readonly details?: unknown;
  /** The JSON-RPC error's whole `data` member, as sent. */
  readonly data?: unknown;
  /** The HTTP status of the answer; absent when none came (network failure, local refusal). */
  readonly httpStatus?: number;
  readonly target?: string;
  /** A later attempt may succeed (TIMEOUT, OVERLOADED, UNAVAILABLE). Retry only idempotent methods. */
  readonly retryable: boolean;

  constructor(code: string, message: string, init: CallErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.rpcCode = init.rpcCode ?? (isErrorCode(code) ? ERROR_CODES[code].rpcCode : ERROR_CODES.INTERNAL.rpcCode);
    this.retryable = isErrorCode(code) && ERROR_CODES[code].retryable;
    if (init.details !== undefined) this.details = init.details;
    if (init.data !== undefined) this.data = init.data;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.target !== undefined) this.target = init.target;
  }
}

/** Checks by shape rather than `instanceof`, so errors from another realm (iframe, worker, a second copy of the SDK) pass. */
export function isJunctionCallError(err: unknown): err is JunctionCallError {
  return err instanceof Error && err.name === 'JunctionCallError' && typeof (err as { code?: unknown }).code === 'string';
}

/** A JSON-RPC error object as revived into a JunctionCallError. */
export function fromRpcError(error: { code?: unknown; message?: unknown; data?: unknown }, httpStatus: number, target?: string): JunctionCallError {
  const rpcCode = typeof error.code === 'number' ? error.code : ERROR_CODES.INTERNAL.rpcCode;
  const data = error.data;
  const sent = typeof data === 'object' && data !== null ? (data as { code?: unknown; details?: unknown }) : undefined;
  const code = typeof sent?.code === 'string' && sent.code !== '' ? sent.code : codeOfRpc(rpcCode);
  const message = typeof error.message === 'string' ? error.message : `${target ?? 'the request'} failed with JSON-RPC error ${rpcCode} and no message`;
  return new JunctionCallError(code, message, { target, rpcCode, details: sent?.details, data, httpStatus });
}
