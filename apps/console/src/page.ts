import type { FastifyInstance } from 'fastify';

/**
 * The contract between the console's shell (app, auth, layout) and its pages. The console is a
 * client of the platform like any other: every page gets what it shows by calling the platform's
 * own services (`system`, `tracing`, `logging`, `management`) through the gateway.
 */

/** Who is using the console. Absent when the console is configured without authentication. */
export interface ConsoleUser {
  readonly identity: string;
  readonly roles: readonly string[];
  /** The user's API key: the console calls the gateway with it, so the platform's access rules apply to them. */
  readonly key: string;
}

export interface PlatformCallOptions {
  /** Call as this user (their API key); anonymous when absent. */
  user?: ConsoleUser;
  /** A W3C traceparent to send, so that the caller knows the call's trace id. */
  traceparent?: string;
  timeoutMs?: number;
}

/** How the console reaches the platform: JSON-RPC through the gateway. */
export interface PlatformClient {
  /** Calls `service.method` with named args; rejects with the client SDK's call error (code, message, details). */
  call<T = unknown>(target: string, args?: Record<string, unknown>, opts?: PlatformCallOptions): Promise<T>;
}

export interface ConsolePageContext {
  readonly client: PlatformClient;
  /** The console's URL prefix: '' standalone, '/console' when mounted in the gateway. Links are `${prefix}/traces`. */
  readonly prefix: string;
}

/**
 * A page, or a group of pages: registers its routes on the console's Fastify scope. Routes render
 * with `reply.view('<name>.njk', data)`; every template extends `layout.njk` and gets `prefix` and
 * `user` without being passed them. The signed-in user is `request.consoleUser`.
 */
export type ConsolePage = (app: FastifyInstance, ctx: ConsolePageContext) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
  }
}
