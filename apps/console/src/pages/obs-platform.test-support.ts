import { join } from 'node:path';
import { parseConfig } from '@junction/core';
import { type RunningNode, startNode } from '@junction/cli';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createConsole } from '../console';
import { browser, CONSOLE_PATH, KEYS, platformConfig, signIn } from '../testing/platform';

/**
 * The observability pages' tests run against the console as it ships (every page, sign-in through
 * its form), under the prefix /console, in front of a real embedded platform (tracing on, spans
 * shipped every 100 ms) that it calls over HTTP. Its templates are strict: printing an undefined
 * value fails the page.
 */

/** A developer who may read everything but is not an operator: `logging.setLevel` refuses them. */
export const VIEWER_KEY = 'test-key-obs-viewer';

export type Who = 'operator' | 'viewer';

/** The platform's test config with one more API key: the developer without the operator role. */
function config(): string {
  const text = platformConfig();
  const marker = '  apiKeys:\n';
  if (!text.includes(marker)) throw new Error('obs tests: the test platform config has no gateway.apiKeys list to add the viewer key to');
  return text.replace(marker, `${marker}    - { key: ${VIEWER_KEY}, identity: vic, roles: [developer] }\n`);
}

export interface ObsPlatform {
  node: RunningNode;
  /** The console on its own, in front of the node's gateway. */
  app: FastifyInstance;
  /** Session cookies (`name=value`) of each user, signed in. */
  cookies: Record<Who, string>;
  /** The console's prefix: its pages are `${prefix}/traces`... */
  prefix: string;
  get(path: string, who?: Who, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, form: Record<string, string>, who?: Who, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A JSON-RPC call straight to the gateway, as a developer's tool makes it. */
  rpc(method: string, params: Record<string, unknown>, opts?: { traceparent?: string }): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
  close(): Promise<void>;
}

export async function startObsPlatform(): Promise<ObsPlatform> {
  const node = await startNode({ config: parseConfig(config(), 'obs-test.yaml'), configFile: join(__dirname, 'obs-test.yaml'), role: 'all' });
  const gateway = node.gateway!;
  let app: FastifyInstance;
  try {
    app = await createConsole({ gatewayUrl: node.url!, prefix: CONSOLE_PATH, strictTemplates: true });
  } catch (err) {
    await node.stop();
    throw err;
  }
  const cookies: Record<Who, string> = {
    operator: await signIn(app, KEYS.developer),
    viewer: await signIn(app, VIEWER_KEY),
  };
  return {
    node,
    app,
    cookies,
    prefix: CONSOLE_PATH,
    get: (path, who = 'operator', headers = {}) => app.inject({ method: 'GET', url: `${CONSOLE_PATH}${path}`, headers: { ...browser(cookies[who]), ...headers } }),
    post: (path, form, who = 'operator', headers = {}) =>
      app.inject({
        method: 'POST',
        url: `${CONSOLE_PATH}${path}`,
        headers: { ...browser(cookies[who]), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(form).toString(),
      }),
    async rpc(method, params, opts = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${KEYS.developer}` };
      if (opts.traceparent !== undefined) headers.traceparent = opts.traceparent;
      const res = await gateway.inject({ method: 'POST', url: '/rpc', headers, payload: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }) });
      return JSON.parse(res.body) as { result?: unknown; error?: { code: number; message: string } };
    },
    async close() {
      await app.close();
      await node.stop();
    },
  };
}

/** Polls `check` every 50 ms until it holds; fails naming `what` after `withinMs`. */
export async function until(check: () => Promise<boolean>, what: string, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${withinMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A console on its own in front of a gateway that is not there (nothing listens on port 1), without
 * sign-in, its templates strict (printing an undefined value fails): every platform call fails.
 */
export async function startConsoleWithoutPlatform(): Promise<{ get(path: string, accept?: string): Promise<LightMyRequestResponse>; post(path: string, form: Record<string, string>): Promise<LightMyRequestResponse>; close(): Promise<void> }> {
  const app = await createConsole({ gatewayUrl: 'http://127.0.0.1:1', auth: false, strictTemplates: true });
  return {
    get: (path, accept = 'text/html') => app.inject({ method: 'GET', url: path, headers: { accept } }),
    post: (path, form) => app.inject({ method: 'POST', url: path, headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() }),
    close: () => app.close(),
  };
}

/** What every observability page shows when its platform call fails: a panel with the code and message, no stack. */
export function expectErrorPanel(res: LightMyRequestResponse, code: string): void {
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.body).toMatch(new RegExp(`<div class="obs-error" role="alert">\\s*<strong class="obs-error-code">${code}</strong>\\s*<span class="obs-error-message">[^<]+</span>`));
  expect(res.body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
}
