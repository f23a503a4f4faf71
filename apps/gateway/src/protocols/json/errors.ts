import { type ErrorCode, isErrorCode, type WireError } from '@junction/core';
import { type FastifyReply } from 'fastify';
import { JSON_UTF8 } from '../protocol';

/** Core's error codes as HTTP statuses of the plain JSON protocol (DESIGN.md, "Errors"): its one mapping. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  PARSE_ERROR: 400,
  INVALID_REQUEST: 400,
  METHOD_NOT_FOUND: 404,
  INVALID_PARAMS: 400,
  INTERNAL: 500,
  SERVICE_ERROR: 422,
  TIMEOUT: 504,
  OVERLOADED: 503,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
});

export interface JsonError {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The body and status of an error; `status` overrides the table where HTTP has a closer word (413, 415, 405). */
export function jsonError(e: WireError, status?: number): { status: number; body: JsonError } {
  const code: ErrorCode = isErrorCode(e.code) ? e.code : 'INTERNAL';
  return { status: status ?? HTTP_STATUS[code], body: { error: { code, message: e.message, details: e.data } } };
}

/** Sends a plain JSON error: its status, `Retry-After` on OVERLOADED, `WWW-Authenticate` on 401. */
export function sendJsonError(reply: FastifyReply, e: WireError, status?: number): FastifyReply {
  const out = jsonError(e, status);
  if (out.body.error.code === 'OVERLOADED') reply.header('retry-after', '1');
  if (out.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(out.status).header('content-type', JSON_UTF8).send(JSON.stringify(out.body));
}
