import { type AddressInfo } from 'node:net';
import { type ConsoleConfig, type JunctionConfig, type Logger } from '@junction/core';
import { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { consolePlugin, type ConsoleOptions, createConsole } from './console';

/** Sign-in is on when the config says so, or (when it does not) when the gateway knows API keys: without keys no one could sign in. */
export function consoleOptionsOf(config: JunctionConfig, section: ConsoleConfig): ConsoleOptions {
  return {
    auth: section.auth ?? (config.gateway?.apiKeys.length ?? 0) > 0,
    requireRole: section.requireRole,
    sessionTtlMs: section.sessionTtlMs,
  };
}

/**
 * The console as a mount of this node's gateway, when the config's `console.mount` says so: the
 * gateway registers it under `console.path`, and it calls the gateway in process.
 */
/** What the gateway mounts (its GatewayMount, by shape: the console does not depend on the gateway). */
export interface ConsoleMount {
  prefix: string;
  register(scope: FastifyInstance): Promise<void>;
}

export function consoleMount(config: JunctionConfig): ConsoleMount | undefined {
  const section = config.console;
  if (section === undefined || !section.mount) return undefined;
  const options = consoleOptionsOf(config, section);
  return { prefix: section.path, register: (scope) => consolePlugin(scope, options) };
}

export interface StandaloneConsole {
  app: FastifyInstance;
  /** Where the console listens. */
  url: string;
  /** The gateway it calls. */
  gatewayUrl: string;
  close(): Promise<void>;
}

/**
 * A console in a process of its own (`junction console`), at `console.host:console.port`, calling
 * the gateway at `console.gatewayUrl` (or the config's gateway host and port) over HTTP.
 */
export async function startStandaloneConsole(config: JunctionConfig, configFile: string, log: Logger): Promise<StandaloneConsole> {
  const section = config.console;
  if (section === undefined) throw new Error(`${configFile}: a console on its own needs a console section (docs/console.md)`);
  const gateway = config.gateway;
  if (section.gatewayUrl === undefined && gateway === undefined) throw new Error(`${configFile}: console.gatewayUrl is needed to find the gateway (the config has no gateway section either)`);
  const gatewayUrl = section.gatewayUrl ?? `http://${gateway!.host.includes(':') ? `[${gateway!.host}]` : gateway!.host}:${gateway!.port}`;
  const app = await createConsole({ ...consoleOptionsOf(config, section), gatewayUrl, logger: log as FastifyBaseLogger });
  await app.listen({ host: section.host, port: section.port });
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { app, url, gatewayUrl, close: () => app.close() };
}
