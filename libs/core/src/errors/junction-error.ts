import { CATALOGUE, type ErrorCode, isErrorCode } from './catalogue';

/** An error as it crosses a wire: plain data, revived on the other side from the catalogue. */
export interface WireError {
  code: ErrorCode;
  message: string;
  data?: unknown;
  retryable?: boolean;
}

/** The platform's typed error. Check with `isJunctionError`, not `instanceof` (worker threads are other realms). */
export class JunctionError extends Error {
  readonly code: ErrorCode;
  readonly data: unknown;
  readonly retryable: boolean;
  readonly junction = true as const;

  constructor(code: ErrorCode, message: string, data?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JunctionError';
    this.code = code;
    this.data = data;
    this.retryable = CATALOGUE[code].retryable;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.data !== undefined) wire.data = this.data;
    return wire;
  }
}

/**
 * What a handler throws to refuse a call for a reason of its domain. `reason` is a stable
 * string clients can branch on, e.g. `DIVISION_BY_ZERO`.
 *
 * @example throw new ServiceError('FORBIDDEN_TRANSITION', `shot ${id} cannot go from final to wip`, { from, to });
 */
export class ServiceError extends JunctionError {
  readonly reason: string;

  constructor(reason: string, message: string, data?: Record<string, unknown>) {
    super('SERVICE_ERROR', message, { reason, ...data });
    this.name = 'ServiceError';
    this.reason = reason;
  }
}

export function isJunctionError(value: unknown): value is JunctionError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { junction?: unknown }).junction === true &&
    isErrorCode((value as { code?: unknown }).code)
  );
}

/** Revives an error received as data; an unknown code becomes INTERNAL rather than trusting the sender. */
export function fromWire(wire: unknown): JunctionError {
  if (typeof wire === 'object' && wire !== null) {
    const { code, message, data } = wire as Partial<WireError>;
    if (isErrorCode(code)) return new JunctionError(code, typeof message === 'string' ? message : code, data);
  }
  return new JunctionError('INTERNAL', 'the remote side answered with an error the platform does not know', { received: wire });
}

export const errors = {
  methodNotFound: (service: string, method?: string) =>
    method === undefined
      ? new JunctionError('METHOD_NOT_FOUND', `no service named "${service}"`, { service })
      : new JunctionError('METHOD_NOT_FOUND', `service "${service}" has no method "${method}"`, { service, method }),
  timeout: (what: string, deadline: number) =>
    new JunctionError('TIMEOUT', `${what} missed its deadline (${new Date(deadline).toISOString()})`, { deadline }),
  overloaded: (queue: string, limit: number) =>
    new JunctionError('OVERLOADED', `${queue} is full (${limit} waiting); retry later`, { queue, limit }),
  unavailable: (what: string, why: string) => new JunctionError('UNAVAILABLE', `${what} is unavailable: ${why}`, { target: what }),
};
