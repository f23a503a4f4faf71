import Fastify, { type FastifyInstance, LogController, type FastifyPluginAsync, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { useAuth, wantsHtml } from './auth';
import { type ConsolePage, type PlatformClient } from './page';
import { PAGES } from './pages';
import { createPlatformClient, injectFetch } from './platform-client';
import { Sessions } from './sessions';
import './settings';
import { staticRoutes } from './static';
import { useViews } from './views';

export interface ConsoleOptions {
  /**
   * How the console reaches the platform. When absent: `gatewayUrl` over HTTP, or else the app
   * the console is registered in, through `inject` (the console mounted in the gateway).
   */
  client?: PlatformClient;
  /** The gateway's base URL, for a console that runs on its own. */
  gatewayUrl?: string;
  /** Require users to sign in with an API key that carries `requireRole`. Default true. */
  auth?: boolean;
  /** Default `developer`. */
  requireRole?: string;
  /** How long a sign-in lasts; default 12 hours. */
  sessionTtlMs?: number;
  /** Sessions kept at most; default 1000. */
  maxSessions?: number;
  /** Fail a template that prints an undefined value (tests) instead of printing nothing. */
  strictTemplates?: boolean;
  /** The pages; every page of the console by default. */
  pages?: readonly ConsolePage[];
}

const HOURS = 3_600_000;

const STATUS: Record<string, number> = {
  PARSE_ERROR: 400,
  INVALID_REQUEST: 400,
  METHOD_NOT_FOUND: 404,
  INVALID_PARAMS: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SERVICE_ERROR: 422,
  TIMEOUT: 504,
  OVERLOADED: 503,
  UNAVAILABLE: 503,
};

/** An error of a page, as the person or script who asked sees it: a page, or `{error}` as the gateway's plain JSON. */
function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const e = err as { code?: unknown; message?: string; details?: unknown; statusCode?: number };
  const code = typeof e.code === 'string' && STATUS[e.code] !== undefined ? e.code : e.statusCode !== undefined && e.statusCode < 500 ? 'INVALID_REQUEST' : 'INTERNAL';
  const status = STATUS[code] ?? (e.statusCode !== undefined && e.statusCode >= 400 ? e.statusCode : 500);
  if (status >= 500) request.log.error({ err }, 'console page failed');
  const message = e.message ?? String(err);
  if (!wantsHtml(request)) {
    return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: { code, message, details: e.details } }));
  }
  // The error page itself must not fail: its template is plain and gets every value it prints.
  return reply.code(status).view('error.njk', { title: code, status, code, message, details: e.details === undefined ? '' : JSON.stringify(e.details, null, 2) });
}

/**
 * The console as a Fastify plugin: every page of PAGES, sign-in, static files and error pages,
 * under the prefix it is registered with. Register it in the gateway with `{ prefix: '/console' }`,
 * or use `createConsole` for a console on its own.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, opts) => {
  const prefix = app.prefix;
  const client = opts.client ?? createPlatformClient(opts.gatewayUrl === undefined ? { url: 'http://gateway.in-process', fetch: injectFetch(app) } : { url: opts.gatewayUrl });

  // The sign-in and logout forms; JSON bodies use the app's parser (the gateway's, with its limits, when mounted).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const auth = opts.auth ?? true;
  app.decorate('consoleSettings', { gatewayUrl: opts.gatewayUrl, auth });
  useViews(app, { prefix, strict: opts.strictTemplates });
  app.addHook('onSend', async (_request, reply, payload) => {
    // Pages show what the signed-in user may see: not for shared caches, not to be framed elsewhere.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin').header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) => {
    const err = Object.assign(new Error(`no console page at ${request.method} ${request.url.split('?')[0]}`), { code: 'METHOD_NOT_FOUND' });
    return sendError(request, reply, err);
  });
  staticRoutes(app);
  if (auth) {
    const sessions = new Sessions({ ttlMs: opts.sessionTtlMs ?? 12 * HOURS, max: opts.maxSessions ?? 1000 });
    useAuth(app, { client, prefix, requireRole: opts.requireRole ?? 'developer', sessions });
  } else {
    app.get('/login', (_request, reply) => reply.redirect(`${prefix}/services`, 303));
  }
  app.get('/', (_request, reply) => reply.redirect(`${prefix}/services`, 302));
  for (const page of opts.pages ?? PAGES) await page(app, { client, prefix });
};

export interface StandaloneConsoleOptions extends ConsoleOptions {
  /** Where the console's pages are; '' (the root) by default. */
  prefix?: string;
  logger?: FastifyServerOptions['loggerInstance'];
}

/**
 * A console on its own, in front of a gateway at `gatewayUrl` (or any `client`). Resolves built and
 * ready, not listening.
 *
 * @example
 * const app = await createConsole({ gatewayUrl: 'http://127.0.0.1:8080' });
 * await app.listen({ host: '127.0.0.1', port: 8090 });
 */
export async function createConsole(opts: StandaloneConsoleOptions): Promise<FastifyInstance> {
  if (opts.client === undefined && opts.gatewayUrl === undefined) throw new Error('createConsole: a console on its own needs gatewayUrl (or a client)');
  const app = Fastify({ loggerInstance: opts.logger, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(consolePlugin, { ...opts, prefix: opts.prefix ?? '' });
  await app.ready();
  return app;
}
