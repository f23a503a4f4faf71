import { type CallRequest } from '@junction/core';
import { createKeyring } from './auth';
import { type Embedded, startEmbedded } from './testing/embedded';
import { testServices } from './testing/services';

const KEYS = [
  { key: 'artist-key-0123', identity: 'alice', roles: ['artist'] },
  { key: 'supervisor-key-4567', identity: 'sam', roles: ['artist', 'supervisor'] },
];

describe('createKeyring', () => {
  const ring = createKeyring(KEYS, false);

  it('finds the caller of a Bearer key or an X-Api-Key', () => {
    expect(ring.identify({ authorization: 'Bearer supervisor-key-4567' })).toEqual({ identity: 'sam', roles: ['artist', 'supervisor'] });
    expect(ring.identify({ authorization: 'bearer   artist-key-0123 ' })).toMatchObject({ identity: 'alice' });
    expect(ring.identify({ 'x-api-key': 'artist-key-0123' })).toMatchObject({ identity: 'alice' });
  });

  it('leaves a call without a key anonymous unless keys are required', () => {
    expect(ring.identify({})).toBeUndefined();
    expect(() => createKeyring(KEYS, true).identify({})).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringContaining('needs an API key') }));
  });

  it('refuses an unknown key without repeating it', () => {
    expect(() => ring.identify({ 'x-api-key': 'guess-1234567' })).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'the API key in the X-Api-Key header is not known to this gateway' }),
    );
    expect(() => ring.identify({ authorization: 'Bearer artist-key-0124' })).toThrow('the API key in the Authorization header is not known to this gateway');
  });

  it('refuses another Authorization scheme', () => {
    expect(() => ring.identify({ authorization: 'Basic YWxpY2U6c2VjcmV0' })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringContaining('"Bearer <API key>"') }));
  });
});

describe('API keys at the gateway', () => {
  let node: Embedded;
  const seen: CallRequest[] = [];

  beforeAll(async () => {
    const { vault, echo } = testServices();
    node = await startEmbedded({ services: [vault, echo], gateway: { apiKeys: KEYS }, wrap: (chain) => (req) => (seen.push(req), chain(req)) });
  });
  afterAll(() => node.close());
  beforeEach(() => (seen.length = 0));

  const api = (url: string, headers: Record<string, string> = {}) => node.app.inject({ method: 'POST', url, headers });
  const rpc = (method: string, headers: Record<string, string> = {}) =>
    node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ jsonrpc: '2.0', method, id: 1 }) });

  describe('a method open to supervisors only', () => {
    it('is refused without a key: 401 UNAUTHENTICATED, -32003', async () => {
      const res = await api('/api/vault/open');
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json().error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('send an API key') });
      expect((await rpc('vault.open')).json().error).toMatchObject({ code: -32003, data: { code: 'UNAUTHENTICATED' } });
    });

    it('is refused with a key that lacks the role: 403 FORBIDDEN, -32004', async () => {
      const res = await api('/api/vault/open', { authorization: 'Bearer artist-key-0123' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"alice" has [artist]') });
      expect((await rpc('vault.open', { 'x-api-key': 'artist-key-0123' })).json().error).toMatchObject({ code: -32004, data: { code: 'FORBIDDEN' } });
    });

    it("runs with the right key, and the key's identity reaches the handler as ctx.caller", async () => {
      const res = await api('/api/vault/open', { authorization: 'Bearer supervisor-key-4567' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toBe('sam');
      expect((await rpc('vault.open', { 'x-api-key': 'supervisor-key-4567' })).json()).toEqual({ jsonrpc: '2.0', result: 'sam', id: 1 });
      expect(seen.map((r) => r.meta.caller)).toEqual([
        { identity: 'sam', roles: ['artist', 'supervisor'] },
        { identity: 'sam', roles: ['artist', 'supervisor'] },
      ]);
    });
  });

  it('hands on a call without a key as anonymous', async () => {
    const res = await api('/api/echo/caller');
    expect(res.json()).toEqual({ identity: 'anonymous', roles: [] });
    expect(seen[0].meta.caller).toBeUndefined();
  });

  it('refuses an unknown key, even for an open method: 401, and -32003 at HTTP 200 on /rpc', async () => {
    const res = await api('/api/calc/getData', { 'x-api-key': 'not-a-known-key' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toEqual({ code: 'UNAUTHENTICATED', message: 'the API key in the X-Api-Key header is not known to this gateway' });
    expect(res.body).not.toContain('not-a-known-key');
    const r = await rpc('calc.getData', { authorization: 'Bearer not-a-known-key' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: null, error: { code: -32003, message: 'the API key in the Authorization header is not known to this gateway' } });
    expect(seen).toHaveLength(0);
  });
});

describe('gateway.requireKey', () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ gateway: { apiKeys: KEYS, requireKey: true } });
  });
  afterAll(() => node.close());

  it('refuses a call without a key', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/api/calc/subtract?minuend=2&subtrahend=1' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('this gateway needs an API key');
    const r = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0","method":"calc.getData","id":1}' });
    expect(r.json()).toMatchObject({ id: null, error: { code: -32003 } });
  });

  it('takes a call with a key', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/api/calc/subtract?minuend=2&subtrahend=1', headers: { 'x-api-key': 'artist-key-0123' } });
    expect(res.json()).toBe(1);
  });

  it('still answers /healthz without a key', async () => {
    expect((await node.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
