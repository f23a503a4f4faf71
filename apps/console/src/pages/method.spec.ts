import { type ServiceDefinition } from '@junction/core';
import { service as calc } from '@junction/service-calc';
import { service as dailies } from '@junction/service-dailies';
import { service as render } from '@junction/service-render';
import { service as shots } from '@junction/service-shots';
import { service as validator1 } from '@junction/service-validator1';
import { type FastifyInstance } from 'fastify';
import { createConsole } from '../console';
import { createPlatformClient, injectFetch } from '../platform-client';
import { browser, decodeHtml, type Platform, snippetOf, startPlatform } from '../testing/platform';

jest.setTimeout(30_000);

const EXAMPLES: readonly ServiceDefinition[] = [calc, dailies, render, shots, validator1];

describe('method documentation pages', () => {
  let p: Platform;
  // A console on its own, with templates that fail on any undefined value they print.
  let app: FastifyInstance;

  beforeAll(async () => {
    p = await startPlatform({ console: '' });
    app = await createConsole({ auth: false, strictTemplates: true, gatewayUrl: 'http://gateway.test:8080', client: createPlatformClient({ url: 'http://gateway', fetch: injectFetch(p.gateway) }) });
  });
  afterAll(async () => {
    await app?.close();
    await p?.close();
  });

  const methods = EXAMPLES.flatMap((s) => Object.entries(s.methods).map(([name, m]) => [s.name, name, Object.keys((m.params as { properties: object }).properties)] as const));

  it.each(methods)('documents %s.%s, naming every param', async (service, name, params) => {
    const res = await app.inject({ url: `/services/${service}/${name}`, headers: browser() });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<code>${service}.${name}</code>`);
    for (const param of params) {
      expect(res.body).toContain(`data-param="${param}"`);
      expect(res.body).toContain(`data-field="${param}"`);
    }
    // Every snippet is there.
    for (const id of ['curl-rpc', 'curl-json', 'python-xmlrpc', 'python-requests', 'typescript']) expect(res.body).toContain(`id="code-${id}"`);
  });

  it.each(EXAMPLES.map((s) => [s.name, Object.keys(s.methods)] as const))('lists the methods of %s on its page', async (service, names) => {
    const res = await app.inject({ url: `/services/${service}`, headers: browser() });
    expect(res.statusCode).toBe(200);
    for (const n of names) expect(res.body).toContain(`data-method="${n}"`);
  });

  it('shows nested params with dotted paths (validator1.arrayOfStructsTest)', async () => {
    const res = await app.inject({ url: '/services/validator1/arrayOfStructsTest', headers: browser() });
    const rows = [...res.body.matchAll(/data-param="([^"]+)"/g)].map((m) => m[1]);
    expect(rows[0]).toBe('structs');
    expect(rows).toEqual(expect.arrayContaining(['structs[].curly', 'structs[].larry', 'structs[].moe']));
  });

  it('shows the flags: idempotent, safe, cache, roles', async () => {
    const divide = await app.inject({ url: '/services/calc/divide', headers: browser() });
    expect(divide.body).toContain('>idempotent<');
    expect(divide.body).toContain('>safe · GET<');
    expect(divide.body).toContain('>cache 60.0 s<');
    const setLevel = await app.inject({ url: '/services/logging/setLevel', headers: browser() });
    expect(setLevel.body).toContain('>roles: operator<');
  });

  it('builds the snippets from the first example, for the configured gateway', async () => {
    const res = await app.inject({ url: '/services/calc/subtract', headers: browser() });
    expect(snippetOf(res.body, 'curl-rpc')).toBe(
      `curl -sS http://gateway.test:8080/rpc \\\n  -H 'content-type: application/json' \\\n  -d '{"jsonrpc":"2.0","method":"calc.subtract","params":{"minuend":42,"subtrahend":23},"id":1}'`,
    );
    expect(snippetOf(res.body, 'python-xmlrpc')).toContain('result = gateway.calc.subtract(42, 23)');
    expect(snippetOf(res.body, 'typescript')).toContain("await client.call(\"calc.subtract\", { minuend: 42, subtrahend: 23 });");
  });

  it('answers a method that does not exist with a 404 page', async () => {
    const res = await app.inject({ url: '/services/calc/nope', headers: browser() });
    expect(res.statusCode).toBe(404);
    expect(decodeHtml(res.body)).toContain('calc has no method "nope"');
    const service = await app.inject({ url: '/services/nope', headers: browser() });
    expect(service.statusCode).toBe(404);
    expect(service.body).toContain('METHOD_NOT_FOUND');
  });
});
