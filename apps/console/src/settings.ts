import { type FastifyRequest } from 'fastify';

/** What the console's own pages need to know of how it was set up, beyond the page contract. */
export interface ConsoleSettings {
  /** The gateway's base URL as callers reach it, for call snippets; the request's own origin (mounted) when absent. */
  gatewayUrl?: string;
  /** Users sign in with API keys: snippets then send one. */
  auth: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    consoleSettings: ConsoleSettings;
  }
}

/** Where a caller reaches the gateway: the configured URL, or (mounted) the origin this request came to. */
export function gatewayUrlOf(settings: ConsoleSettings, request: FastifyRequest): string {
  return (settings.gatewayUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}
