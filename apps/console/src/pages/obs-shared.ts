import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ConsolePageContext } from '../page';

/**
 * What the observability pages (traces, metrics, logging, nodes) share: calling the platform as
 * the signed-in user, turning a failed call into a panel, and formatting numbers for people.
 */

/** A failed platform call as a page shows it: never a stack. */
export interface PanelError {
  code: string;
  message: string;
}

/**
 * A traceparent whose sampled flag is off. The console's own reads (a metrics page polls every two
 * seconds) are sent with it, so they do not bury the developer's calls in `tracing.recent`: the
 * gateway keeps a client's sampling decision.
 */
export function untraced(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

/** Calls the platform as the request's user, untraced. */
export function caller(ctx: ConsolePageContext, request: FastifyRequest) {
  return <T>(target: string, args: Record<string, unknown> = {}): Promise<T> =>
    ctx.client.call<T>(target, args, { user: request.consoleUser, traceparent: untraced() });
}

/** The code and message of whatever a platform call rejected with: the client's call error, or anything else. */
export function panelError(err: unknown): PanelError {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    // A call error's code is the catalogue's string (FORBIDDEN); a socket error's is Node's (ECONNREFUSED).
    return { code: typeof code === 'string' && code !== '' ? code : 'INTERNAL', message: typeof message === 'string' && message !== '' ? message : String(err) };
  }
  return { code: 'INTERNAL', message: String(err) };
}

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  METHOD_NOT_FOUND: 404,
  INVALID_PARAMS: 400,
  TIMEOUT: 504,
  OVERLOADED: 503,
  UNAVAILABLE: 503,
};

/** The HTTP status of a page that could not get its data: the platform's refusal as such, anything else a bad gateway. */
export function statusOf(error: PanelError): number {
  return STATUS[error.code] ?? 502;
}

/** Settles a call to `{ value }` or `{ error }`, so that a page shows what it got and a panel for the rest. */
export async function settle<T>(call: Promise<T>): Promise<{ value: T; error?: undefined } | { value?: undefined; error: PanelError }> {
  try {
    return { value: await call };
  } catch (err) {
    return { error: panelError(err) };
  }
}

/** A query or form value as one trimmed string ('' when absent; the first of a repeated one). */
export function field(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** `ms` for people: two decimals under 10 ms, one under 100, none under a second, then seconds. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return formatDuration(ms);
}

/** Calls per second: decimals only where they say something. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond === 0) return '0';
  if (perSecond < 0.1) return perSecond.toFixed(3);
  if (perSecond < 10) return perSecond.toFixed(2);
  if (perSecond < 100) return perSecond.toFixed(1);
  return Math.round(perSecond).toLocaleString('en-US');
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A long span of time: `45 s`, `12 min 3 s`, `3 h 12 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** How long ago, from an age in ms: `now` under a tenth of a second. */
export function formatAge(ms: number): string {
  if (ms < 100) return 'now';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s ago`;
  return `${formatDuration(ms)} ago`;
}

/** An epoch ms as `2025-11-26 18:05:01.123` (UTC: the console's server and its users may not share a zone). */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Whether a browser says the request comes from another site. A form that changes the platform
 * (a log level) refuses those: a page elsewhere must not post it with the user's session. Clients
 * that send no `Sec-Fetch-Site` (curl, older browsers) are not refused for it.
 */
export function crossSite(request: FastifyRequest): boolean {
  return field(request.headers['sec-fetch-site']) === 'cross-site';
}

/** Whether the caller asked for JSON (the pages' own fetches) rather than a page. */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = field(request.headers.accept);
  return accept.includes('application/json') && !accept.includes('text/html');
}
