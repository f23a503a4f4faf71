import { type ErrorCode, isErrorCode, type WireError } from '@junction/core';

/** Core's error codes as JSON-RPC 2.0 error codes (DESIGN.md, "Errors"): the one mapping of this protocol. */
export const JSON_RPC_CODES: Readonly<Record<ErrorCode, number>> = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  SERVICE_ERROR: -32000,
  TIMEOUT: -32001,
  OVERLOADED: -32002,
  UNAUTHENTICATED: -32003,
  FORBIDDEN: -32004,
  UNAVAILABLE: -32005,
});

export type RpcId = string | number | null;

export interface RpcError {
  code: number;
  message: string;
  /** `code` is core's stable string code; `details` the core error's data (for INVALID_PARAMS, `problems`). */
  data: { code: ErrorCode; details?: unknown };
}

export type RpcResponse = { jsonrpc: '2.0'; result: unknown; id: RpcId } | { jsonrpc: '2.0'; error: RpcError; id: RpcId };

export function rpcError(id: RpcId, e: WireError): RpcResponse {
  // A reply from elsewhere may carry a code this node does not know: it is an internal failure here.
  const code: ErrorCode = isErrorCode(e.code) ? e.code : 'INTERNAL';
  return { jsonrpc: '2.0', error: { code: JSON_RPC_CODES[code], message: e.message, data: { code, details: e.data } }, id };
}
