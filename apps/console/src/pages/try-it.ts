import { randomBytes } from 'node:crypto';
import { type ConsolePage } from '../page';

interface Target {
  Params: { service: string; method: string };
  Body: unknown;
}

/** What the try-it form gets back: the call's outcome, how long it took, and the trace to look at. */
export type TryOutcome =
  | { ok: true; result: unknown; durationMs: number; traceId: string }
  | { ok: false; error: { code: string; message: string; details?: unknown }; durationMs: number; traceId: string };

/** A new W3C traceparent, sampled: the console starts the trace, so it knows the trace id to link to. */
export function newTraceparent(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
}

/**
 * `POST /try/:service/:method` with the args as a JSON object: calls the method through the
 * gateway as the signed-in user, in a trace of its own, and answers a TryOutcome (HTTP 200 whatever
 * the call's outcome: the call was made).
 */
export const tryIt: ConsolePage = (app, { client }) => {
  app.post<Target>('/try/:service/:method', async (request, reply) => {
    const { service, method } = request.params;
    const args = request.body;
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return reply.code(400).send({ error: { code: 'INVALID_REQUEST', message: 'send the args as a JSON object, e.g. {"minuend": 42, "subtrahend": 23}' } });
    }
    const { traceparent, traceId } = newTraceparent();
    const started = performance.now();
    let outcome: TryOutcome;
    try {
      const result = await client.call(`${service}.${method}`, args as Record<string, unknown>, { user: request.consoleUser, traceparent });
      outcome = { ok: true, result, durationMs: performance.now() - started, traceId };
    } catch (err) {
      const e = err as { code?: unknown; message?: string; details?: unknown };
      const error = { code: typeof e.code === 'string' ? e.code : 'INTERNAL', message: e.message ?? String(err), ...(e.details === undefined ? {} : { details: e.details }) };
      outcome = { ok: false, error, durationMs: performance.now() - started, traceId };
    }
    outcome.durationMs = Math.round(outcome.durationMs * 100) / 100;
    return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(outcome));
  });
};
