import { type ErrorCode, isErrorCode, type WireError } from '@junction/core';

/** Core's error codes as XML-RPC faultCodes (DESIGN.md, "Errors"): the same numbers as JSON-RPC, the one mapping of this protocol. */
export const XML_RPC_FAULT_CODES: Readonly<Record<ErrorCode, number>> = Object.freeze({
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

/** A fault as XML-RPC carries it; also the shape of a failed entry of `system.multicall`. */
export interface Fault {
  faultCode: number;
  faultString: string;
}

export function faultOf(e: WireError): Fault {
  // A reply from elsewhere may carry a code this node does not know: it is an internal failure here.
  const code: ErrorCode = isErrorCode(e.code) ? e.code : 'INTERNAL';
  return { faultCode: XML_RPC_FAULT_CODES[code], faultString: e.message };
}
