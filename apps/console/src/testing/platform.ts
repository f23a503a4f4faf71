import { join } from 'node:path';
// The CLI assembles nodes (and mounts the console), so the tests build the platform the way
// `junction start` does. @junction/cli is not in package.json: it depends on this package, and
// declaring it back would make a cycle of Nx build tasks; the workspace links it all the same.
import { type RunningNode, startNode } from '@junction/cli';
import { parseConfig } from '@junction/core';
import { type FastifyInstance } from 'fastify';

/** The API keys of the test platform, by who holds them. */
export const KEYS = {
  /** developer and operator: may open the console and set log levels. */
  developer: 'test-key-developer',
  /** artist only: the console refuses it. */
  artist: 'test-key-artist',
} as const;

export const CONSOLE_PATH = '/console';

/** The embedded platform as config/local.yaml builds it (every example service, memory transport, SQLite in memory, tracing on), with the console mounted. */
export function platformConfig(opts: { console?: string } = {}): string {
  return `
node: { name: console-test, heartbeatMs: 500 }
log: { level: silent }
chain:
  - type: access
  - type: timeout
    defaultMs: 10000
  - type: route
    routes:
      '*': { type: remote, transport: mem }
transports:
  mem: { type: memory }
gateway:
  host: 127.0.0.1
  port: 0
  apiKeys:
    - { key: ${KEYS.developer}, identity: dora, roles: [developer, operator] }
    - { key: ${KEYS.artist}, identity: ann, roles: [artist] }
worker:
  serve: [mem]
infrastructure:
  db: { type: sqlite, path: ':memory:' }
tracing:
  enabled: true
  sampleRate: 1
  flushIntervalMs: 100
${opts.console ?? `console: { mount: true, path: ${CONSOLE_PATH} }`}
services:
  calc: { package: '@junction/service-calc' }
  shots: { package: '@junction/service-shots' }
  dailies: { package: '@junction/service-dailies' }
  render: { package: '@junction/service-render' }
  validator1: { package: '@junction/service-validator1' }
`;
}

export interface Platform {
  node: RunningNode;
  /** The gateway app, with the console under CONSOLE_PATH: `inject` reaches both without a socket. */
  gateway: FastifyInstance;
  /** The gateway's base URL (it listens on a free port of 127.0.0.1). */
  url: string;
  close(): Promise<void>;
}

/** Starts the platform as `junction start` would (role all), from `platformConfig`. */
export async function startPlatform(opts: { console?: string } = {}): Promise<Platform> {
  const config = parseConfig(platformConfig(opts), 'console-test.yaml');
  const node = await startNode({ config, configFile: join(__dirname, 'console-test.yaml'), role: 'all' });
  return { node, gateway: node.gateway!, url: node.url!, close: async () => void (await node.stop()) };
}

/** Signs in through the form; resolves with the Cookie header to send after. */
export async function signIn(app: FastifyInstance, key: string, prefix = CONSOLE_PATH): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `${prefix}/login`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ key }).toString() });
  if (res.statusCode !== 303) throw new Error(`signing in answered ${res.statusCode}: ${res.body}`);
  const cookie = String(res.headers['set-cookie']).split(';')[0];
  return cookie;
}

/** Headers of a browser navigating, signed in with `cookie`. */
export const browser = (cookie?: string): Record<string, string> => ({ accept: 'text/html,application/xhtml+xml', ...(cookie === undefined ? {} : { cookie }) });

/** The text of the page's HTML with tags dropped and the entities nunjucks writes decoded. */
export function decodeHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The code of one snippet of a method page, as the copy button copies it. */
export function snippetOf(html: string, id: string): string {
  const m = new RegExp(`<code id="code-${id}">([\\s\\S]*?)</code>`).exec(html);
  if (m === null) throw new Error(`no snippet ${id} on the page`);
  return decodeHtml(m[1]);
}
