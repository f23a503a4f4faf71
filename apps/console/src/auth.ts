import { createHash } from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ConsoleUser, type PlatformClient } from './page';
import { type Sessions } from './sessions';

/** The cookie that holds a session id: never the API key itself. */
export const SESSION_COOKIE = 'junction_console';

export interface AuthOptions {
  client: PlatformClient;
  /** The console's URL prefix ('' standalone). */
  prefix: string;
  /** The role a user's API key must carry. */
  requireRole: string;
  sessions: Sessions;
}

/** Who an API key belongs to, as the gateway tells (system.whoami). */
export interface Identity {
  identity: string;
  roles: readonly string[];
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
// Keys sent on each request by scripts are checked with the gateway once a minute, not on every call.
const KEY_CHECK_TTL_MS = 60_000;
const KEY_CHECK_MAX = 256;

/** Asks the gateway whose key this is; rejects with the SDK's error (UNAUTHENTICATED for an unknown key). */
export async function whoami(client: PlatformClient, key: string): Promise<Identity> {
  return client.call<Identity>('system.whoami', {}, { user: { identity: '?', roles: [], key } });
}

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A browser navigating (it would rather see a page), as opposed to a script or the console's own fetch calls. */
export const wantsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/** Where to go after signing in: a path of this console only, so the form cannot be used to send people elsewhere. */
export function safeNext(prefix: string, next: unknown): string {
  const home = `${prefix}/services`;
  if (typeof next !== 'string' || next === '') return home;
  if (!next.startsWith(`${prefix}/`) || next.startsWith('//') || next.includes('\\') || /[\r\n]/.test(next)) return home;
  return next;
}

function jsonError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: { code, message } }));
}

/**
 * Sign-in with an API key (`/login`, `/logout`) and a guard on every other route of the console:
 * a session cookie from the sign-in page, or an API key on the request itself (for scripts).
 * Sets `request.consoleUser`; refuses with 401 (no one signed in) or 403 (no `requireRole`).
 */
export function useAuth(app: FastifyInstance, opts: AuthOptions): void {
  const { client, prefix, requireRole, sessions } = opts;
  const keyChecks = new Map<string, { user: ConsoleUser; expires: number }>();
  const open = new Set([`${prefix}/login`, `${prefix}/logout`]);

  const cookie = (request: FastifyRequest, id: string, maxAgeS: number) => {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return `${SESSION_COOKIE}=${id}; Path=${prefix === '' ? '/' : prefix}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
  };

  const forbidden = (request: FastifyRequest, reply: FastifyReply, who: Identity) => {
    const message = `the console needs the "${requireRole}" role; the API key of ${who.identity} has ${who.roles.length === 0 ? 'no role' : `the roles ${who.roles.join(', ')}`}`;
    if (!wantsHtml(request)) return jsonError(reply, 403, 'FORBIDDEN', message);
    return reply.code(403).view('forbidden.njk', { title: 'Not allowed', requireRole, who, message });
  };

  /** The user of an API key sent on the request itself, checked with the gateway (cached for a minute). */
  const userOfKey = async (key: string): Promise<ConsoleUser> => {
    const digest = createHash('sha256').update(key).digest('base64');
    const hit = keyChecks.get(digest);
    if (hit !== undefined && hit.expires > Date.now()) return hit.user;
    const who = await whoami(client, key);
    const user: ConsoleUser = { identity: who.identity, roles: who.roles, key };
    if (keyChecks.size >= KEY_CHECK_MAX) keyChecks.delete(keyChecks.keys().next().value!);
    keyChecks.set(digest, { user, expires: Date.now() + KEY_CHECK_TTL_MS });
    return user;
  };

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (open.has(path) || path.startsWith(`${prefix}/static/`)) return;
    let user = sessions.get(cookieOf(request, SESSION_COOKIE));
    if (user === undefined) {
      const m = BEARER.exec(request.headers.authorization ?? '');
      const header = request.headers['x-api-key'];
      const key = m?.[1] ?? (typeof header === 'string' && header !== '' ? header : undefined);
      if (key !== undefined) {
        try {
          user = await userOfKey(key);
        } catch (err) {
          return jsonError(reply, 401, 'UNAUTHENTICATED', `the API key was refused by the gateway: ${(err as Error).message}`);
        }
      }
    }
    if (user === undefined) {
      if (wantsHtml(request) && request.method === 'GET') return reply.redirect(`${prefix}/login?next=${encodeURIComponent(request.url)}`, 303);
      return jsonError(reply, 401, 'UNAUTHENTICATED', `sign in at ${prefix}/login, or send an API key with the "${requireRole}" role as "Authorization: Bearer <key>"`);
    }
    if (!user.roles.includes(requireRole)) return forbidden(request, reply, user);
    request.consoleUser = user;
  });

  app.get<{ Querystring: { next?: string } }>('/login', (request, reply) => {
    const next = safeNext(prefix, request.query.next);
    if (sessions.get(cookieOf(request, SESSION_COOKIE)) !== undefined) return reply.redirect(next, 303);
    return reply.view('login.njk', { title: 'Sign in', next, requireRole });
  });

  app.post<{ Body: { key?: unknown; next?: unknown } }>('/login', async (request, reply) => {
    const body = request.body ?? {};
    const next = safeNext(prefix, body.next);
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const again = (status: number, error: string) => reply.code(status).view('login.njk', { title: 'Sign in', next, error, requireRole });
    if (key === '') return again(400, 'Paste an API key.');
    let who: Identity;
    try {
      who = await whoami(client, key);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'UNAUTHENTICATED') return again(401, 'The gateway does not know this API key.');
      return again(502, `The gateway could not check the key: ${(err as Error).message}`);
    }
    if (!who.roles.includes(requireRole)) return forbidden(request, reply, who);
    const id = sessions.open({ identity: who.identity, roles: who.roles, key });
    return reply.header('set-cookie', cookie(request, id, Math.floor(sessions.ttlMs / 1000))).redirect(next, 303);
  });

  const logout = (request: FastifyRequest, reply: FastifyReply) => {
    sessions.close(cookieOf(request, SESSION_COOKIE));
    return reply.header('set-cookie', cookie(request, '', 0)).redirect(`${prefix}/login`, 303);
  };
  app.post('/logout', logout);
  app.get('/logout', logout);
}
