/**
 * The one catalogue of typed errors. Every protocol maps these codes once (see each protocol
 * slice); nothing else invents error codes.
 */
export const ERROR_CODES = [
  'PARSE_ERROR',
  'INVALID_REQUEST',
  'METHOD_NOT_FOUND',
  'INVALID_PARAMS',
  'INTERNAL',
  'SERVICE_ERROR',
  'TIMEOUT',
  'OVERLOADED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorSpec {
  /** May the same call succeed if sent again unchanged (after a pause)? */
  readonly retryable: boolean;
  /** One sentence for documentation and the console. */
  readonly description: string;
}

export const CATALOGUE: Readonly<Record<ErrorCode, ErrorSpec>> = Object.freeze({
  PARSE_ERROR: { retryable: false, description: 'The request body is not valid JSON (or XML).' },
  INVALID_REQUEST: { retryable: false, description: 'The request is not a valid request object of its protocol.' },
  METHOD_NOT_FOUND: { retryable: false, description: 'No such service, or no such method on it.' },
  INVALID_PARAMS: { retryable: false, description: "The arguments do not match the method's params schema." },
  INTERNAL: { retryable: false, description: 'An unexpected failure inside the platform or a handler.' },
  SERVICE_ERROR: { retryable: false, description: 'The handler refused the call, with a reason of its own.' },
  TIMEOUT: { retryable: true, description: 'The deadline passed before a reply.' },
  OVERLOADED: { retryable: true, description: 'A bounded queue on the way was full; try again later.' },
  UNAUTHENTICATED: { retryable: false, description: 'The method needs an identity and the caller gave none (or a bad key).' },
  FORBIDDEN: { retryable: false, description: "The caller's roles do not include one the method requires." },
  UNAVAILABLE: { retryable: true, description: 'No transport or worker can take the call right now.' },
});

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOGUE, value);
}
