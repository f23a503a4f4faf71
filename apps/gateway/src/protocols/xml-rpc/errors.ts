import { type ErrorCode, isErrorCode, type WireError } from '@junction/core';
import { JSON_RPC_CODES } from '../json-rpc/errors';

/**
 * Core's error codes as XML-RPC faultCodes. DESIGN.md gives XML-RPC the very numbers of JSON-RPC,
 * so this is that table, not a second copy that could drift from it.
 */
export const XML_RPC_FAULT_CODES: Readonly<Record<ErrorCode, number>> = JSON_RPC_CODES;

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
