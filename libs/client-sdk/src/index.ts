export { type ClientOptions, createClient, type JunctionClient, TIMEOUT_HEADER } from './client';
export { ERROR_CODES, type ErrorCode, isErrorCode, isJunctionCallError, JunctionCallError } from './errors';
export { GRACE_MS } from './http';
export type { Args, BatchCall, BatchOutcome, CallOptions, MethodCaller, Received, Sent, ServiceClient, ServiceLike } from './types';
