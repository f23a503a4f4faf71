import { join } from 'node:path';
import type {} from '@fastify/view';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';

/** The console's templates: `<package>/views`, from `src/` and `dist/` alike. */
export const CONSOLE_VIEWS = join(__dirname, '..', 'views');

export const HTML_UTF8 = 'text/html; charset=utf-8';

export interface ViewsOptions {
  prefix: string;
  /** Fail a render that prints an undefined value (tests), instead of printing nothing. */
  strict?: boolean;
}

/** The console's nunjucks Environment: autoescape on, with the filters its templates use. */
export function createEnvironment(strict = false): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(CONSOLE_VIEWS, { noCache: false }), { autoescape: true, throwOnUndefined: strict });
  env.addFilter('json', (value: unknown, indent = 2) => (value === undefined ? '' : JSON.stringify(value, null, indent)));
  env.addFilter('ms', (value: unknown) => formatMs(Number(value)));
  return env;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/**
 * `reply.view(name, data)` and `reply.viewAsync` on the console's routes. Every template gets
 * `prefix`, `user` (the signed-in user, without their key) and `path` besides its data.
 *
 * Set on each reply rather than declared as a decorator: mounted in the gateway, the console
 * shares the gateway's Reply, which already has `view` (@fastify/view, for the gateway's own
 * templates), and a child scope may not declare it again.
 */
export function useViews(app: FastifyInstance, opts: ViewsOptions): nunjucks.Environment {
  const env = createEnvironment(opts.strict);
  const render = (reply: FastifyReply, name: string, data: object = {}): string => {
    const user = reply.request.consoleUser;
    const base = { prefix: opts.prefix, path: reply.request.url.split('?')[0], user: user === undefined ? null : { identity: user.identity, roles: user.roles } };
    return env.render(name, { ...base, ...data });
  };
  function view(this: FastifyReply, name: string, data?: object): FastifyReply {
    let html: string;
    try {
      html = render(this, name, data);
    } catch (err) {
      // Sent to the scope's error handler, like any other failure of a route.
      this.send(err);
      return this;
    }
    return this.type(HTML_UTF8).send(html);
  }
  function viewAsync(this: FastifyReply, name: string, data?: object): Promise<string> {
    return new Promise((resolve) => resolve(render(this, name, data)));
  }
  app.addHook('onRequest', (_request, reply, done) => {
    reply.view = view;
    reply.viewAsync = viewAsync;
    done();
  });
  return env;
}
