import { isJunctionError, type WireError } from '@junction/core';
import { type FastifyRequest } from 'fastify';
import { type Edge } from './edge';

/** A request refused before or outside a call, as each protocol will word it. */
export interface Refusal {
  error: WireError;
  /** The HTTP status where HTTP has a closer word than the error table (413, 415). */
  status?: number;
}

const invalid = (message: string, data?: unknown): WireError => ({ code: 'INVALID_REQUEST', message, data, retryable: false });

/** Turns what fastify or our own code threw while reading a request into a refusal that says what was wrong. */
export function refusalOf(err: unknown, request: FastifyRequest, edge: Edge, bodyLimit: number): Refusal {
  if (isJunctionError(err)) return { error: err.toWire() };
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const length = request.headers['content-length'];
      const size = length === undefined ? 'the body' : `the body (${length} bytes)`;
      return { status: 413, error: invalid(`${size} is larger than the limit of ${bodyLimit} bytes (gateway.bodyLimit)`, { limit: bodyLimit }) };
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      const what = type === undefined ? 'the request has a body but no Content-Type' : `Content-Type ${JSON.stringify(type)} is not accepted`;
      return { status: 415, error: invalid(`${what}; send the body as JSON with "Content-Type: application/json"`, { contentType: type ?? null }) };
    }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: invalid("the body's length does not match its Content-Length header") };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.message === 'string') {
    return { status: e.statusCode, error: invalid(e.message) };
  }
  return { error: edge.wire(err, `reading ${request.method} ${request.url}`) };
}
