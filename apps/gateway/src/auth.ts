import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { type ApiKeyConfig, type Caller, JunctionError } from '@junction/core';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

interface KnownKey {
  readonly digest: Buffer;
  readonly caller: Caller;
}

/** Tells who calls from the request's API key. */
export interface Keyring {
  /**
   * The caller of an API key sent as `Authorization: Bearer <key>` or `X-Api-Key: <key>`;
   * `undefined` (anonymous) when none is sent and none is required. Throws UNAUTHENTICATED for an
   * unknown key, another Authorization scheme, or a missing key where one is required.
   */
  identify(headers: IncomingHttpHeaders): Caller | undefined;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Keys are compared as SHA-256 digests with `timingSafeEqual`, against every known key without
 * stopping at a match: how long a lookup takes tells nothing about how close a guess was.
 */
export function createKeyring(keys: readonly ApiKeyConfig[], requireKey: boolean): Keyring {
  const known: KnownKey[] = keys.map((k) => ({ digest: sha256(k.key), caller: Object.freeze({ identity: k.identity, roles: Object.freeze([...k.roles]) }) }));
  const unauthenticated = (message: string) => new JunctionError('UNAUTHENTICATED', message);
  return {
    identify(headers) {
      const authorization = headers.authorization;
      let key: string | undefined;
      let where = 'X-Api-Key header';
      if (authorization !== undefined) {
        const m = BEARER.exec(authorization);
        if (m === null) throw unauthenticated('the Authorization header must be "Bearer <API key>"; no other scheme is accepted');
        key = m[1];
        where = 'Authorization header';
      } else {
        const header = headers['x-api-key'];
        key = Array.isArray(header) ? header[0] : header;
      }
      if (key === undefined || key === '') {
        if (!requireKey) return undefined;
        throw unauthenticated('this gateway needs an API key: send "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
      }
      const digest = sha256(key);
      let found: Caller | undefined;
      for (const k of known) if (timingSafeEqual(digest, k.digest)) found = k.caller;
      if (found === undefined) throw unauthenticated(`the API key in the ${where} is not known to this gateway`);
      return found;
    },
  };
}
