import { describeService, ERROR_CODES, type ServiceDescription } from '@junction/core';
import { JSON_RPC_CODES } from '../json-rpc/errors';
import { type Embedded } from '../../testing/embedded';
import { getJson, SETS, startDocumented } from './fixture.test-support';
import { hostile } from './hostile.test-support';
import { DISCOVER, type OpenRpcDocument, openRpcDocument } from './openrpc';
import { openRpcValidator, schemaCompiler } from './validators.test-support';

interface Param {
  name: string;
  required: boolean;
  schema: unknown;
  description?: string;
  [extension: string]: unknown;
}
interface Method {
  name: string;
  params: Param[];
  result: { schema: unknown };
  errors?: { $ref: string }[];
  examples?: { name: string; params: { name: string; value: unknown }[]; result?: { value: unknown } }[];
  [field: string]: unknown;
}

const methodsOf = (doc: OpenRpcDocument) => doc.methods as unknown as Method[];
const validateDocument = openRpcValidator();

describe.each(SETS)('the OpenRPC document of %s', (_what, services) => {
  let node: Embedded;
  let doc: OpenRpcDocument;
  let described: ServiceDescription[];

  beforeAll(async () => {
    node = await startDocumented(services);
    doc = await getJson<OpenRpcDocument>(node, '/openrpc.json');
    described = await getJson<ServiceDescription[]>(node, '/api/system/describe');
  });
  afterAll(() => node.close());

  it('validates against the official OpenRPC meta-schema', () => {
    expect(validateDocument(doc)).toEqual([]);
    expect(doc.openrpc).toMatch(/^1\.3\.\d+$/);
  });

  it('holds schemas that compile as strict draft-07 JSON Schema, and examples they accept', () => {
    const compile = schemaCompiler('draft-07', doc.components.schemas);
    let checked = 0;
    for (const m of methodsOf(doc)) {
      const params = new Map(m.params.map((p) => [p.name, compile(p.schema)]));
      const result = compile(m.result.schema);
      for (const e of m.examples ?? []) {
        for (const p of e.params) {
          const validate = params.get(p.name)!;
          expect({ example: `${m.name} ${e.name} ${p.name}`, valid: validate(p.value), errors: validate.errors ?? null }).toMatchObject({ valid: true });
          checked++;
        }
        if (e.result !== undefined) expect({ example: `${m.name} ${e.name} result`, valid: result(e.result.value), errors: result.errors ?? null }).toMatchObject({ valid: true });
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('documents every method system.describe lists, with its params in declared order, and rpc.discover', () => {
    const names = methodsOf(doc).map((m) => m.name);
    const expected = described.flatMap((s) => s.methods.map((m) => `${s.name}.${m.name}`));
    expect(names).toEqual([...expected, DISCOVER]);
    for (const s of described) {
      for (const m of s.methods) {
        const documented = methodsOf(doc).find((x) => x.name === `${s.name}.${m.name}`)!;
        expect(documented.params.map((p) => [p.name, p.required])).toEqual(m.params.map((p) => [p.name, p.required]));
        expect(documented).toMatchObject({ description: m.description, paramStructure: 'either', 'x-junction-idempotent': m.idempotent, 'x-junction-safe': m.safe, 'x-junction-sensitive': m.sensitive });
      }
    }
  });

  it('holds every error of the platform with its JSON-RPC code, and refers each method to those of a call', () => {
    expect(Object.keys(doc.components.errors)).toEqual([...ERROR_CODES]);
    for (const code of ERROR_CODES) expect(doc.components.errors[code]).toMatchObject({ code: JSON_RPC_CODES[code], data: { code } });
    for (const m of methodsOf(doc).filter((x) => x.name !== DISCOVER)) {
      const refs = (m.errors ?? []).map((e) => e.$ref);
      expect(refs).toContain('#/components/errors/INVALID_PARAMS');
      expect(refs.includes('#/components/errors/FORBIDDEN')).toBe(Array.isArray(m['x-junction-access']));
    }
  });

  it('gives the server of the request, and the services with their versions', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://localhost:80/rpc' })]);
    for (const s of described.filter((x) => x.name !== 'rpc')) expect(doc.components.tags[s.name]).toMatchObject({ name: s.name, 'x-junction-version': s.version });
  });
});

describe('the OpenRPC document of a hostile definition', () => {
  const doc = openRpcDocument([describeService(hostile)]);
  const method = (name: string) => methodsOf(doc).find((m) => m.name === `hostile.${name}`)!;

  it('writes DateTime and Binary as date-time and base64 strings, at any depth', () => {
    const [project, , , since] = method('nested').params;
    const sequence = (project.schema as any).properties.sequences.items;
    expect(sequence.properties.due).toEqual({ type: 'string', format: 'date-time', description: 'When the sequence is due.' });
    expect(sequence.properties.thumbnail).toEqual({ type: 'string', contentEncoding: 'base64', format: 'byte', maxLength: 1000 });
    expect(since).toMatchObject({ name: 'since', required: false, schema: { type: 'string', format: 'date-time', default: '2020-01-01T00:00:00.000Z' } });
    expect(method('spread').params[1].schema).toEqual({ type: 'array', items: { type: 'string', contentEncoding: 'base64', format: 'byte' } });
  });

  it('keeps optional params with their defaults, and the example values in their wire form', () => {
    expect(method('nested').params.map((p) => [p.name, p.required, (p.schema as { default?: unknown }).default])).toEqual([
      ['project', true, undefined],
      ['limit', false, 50],
      ['mode', false, 'fast'],
      ['since', false, '2020-01-01T00:00:00.000Z'],
    ]);
    const [example] = method('nested').examples!;
    expect(example.params.map((p) => p.name)).toEqual(['project', 'limit']);
    expect(JSON.stringify(example)).toContain('"due":"2030-01-02T00:00:00.000Z","thumbnail":"AP8="');
    expect(example.result!.value).toMatchObject({ when: '2030-01-02T00:00:00.000Z', digest: 'AQID' });
  });

  it('documents a method without params', () => {
    expect(method('ping')).toMatchObject({ params: [], result: { schema: { const: 'pong', type: 'string' } }, examples: [{ params: [], result: { value: 'pong' } }] });
  });

  it('puts the recursive type in components.schemas', () => {
    const tree = (method('nested').result.schema as any).properties.tree;
    expect(tree).toEqual({ $ref: expect.stringMatching(/^#\/components\/schemas\//) });
    expect(doc.components.schemas![tree.$ref.split('/').pop()]).toMatchObject({ type: 'object', description: 'A tree of names.' });
  });

  it('writes every flag as an x-junction field', () => {
    expect(method('search')).toMatchObject({ 'x-junction-safe': true, 'x-junction-idempotent': true, 'x-junction-cache': { ttlMs: 5000 }, 'x-junction-timeoutMs': 2000 });
    expect(method('secret')).toMatchObject({ 'x-junction-access': ['supervisor', 'admin'], 'x-junction-sensitive': true, 'x-junction-sensitiveParams': ['password'] });
    expect(method('secret').params[1]).toMatchObject({ name: 'password', 'x-junction-sensitive': true });
    expect(method('spread')).toMatchObject({ 'x-junction-variadic': true });
    expect(method('spread').params[1].description).toContain('remaining args');
    expect(method('ping')).not.toHaveProperty('x-junction-access');
  });

  it('leaves out a service named "rpc": the specification reserves those names', () => {
    const rpc: ServiceDescription = { name: 'rpc', version: '1.0.0', description: 'Squats the namespace.', methods: [] };
    expect(openRpcDocument([rpc, describeService(hostile)]).components.tags).not.toHaveProperty('rpc');
  });

  it('validates against the official OpenRPC meta-schema without servers too', () => {
    expect(validateDocument(doc)).toEqual([]);
  });
});

describe('the validators of these tests', () => {
  const doc = openRpcDocument([describeService(hostile)]);
  const [first] = methodsOf(doc);

  it('refuse what the official meta-schema refuses: the checks are not vacuous', () => {
    expect(validateDocument({ ...doc, openrpc: '2.0.0' })).not.toEqual([]);
    expect(validateDocument({ ...doc, methods: [{ ...first, paramStructure: 'sometimes' }] })).not.toEqual([]);
    expect(validateDocument({ ...doc, methods: [{ ...first, params: [{ name: 'x', schema: { type: 'Date' } }] }] })).not.toEqual([]);
    expect(validateDocument({ ...doc, methods: [{ ...first, errors: [{ code: 'INVALID_PARAMS', message: 'x' }] }] })).not.toEqual([]);
    expect(() => schemaCompiler('draft-07')({ type: 'string', minimumTimestamp: 0 })).toThrow(/unknown keyword/);
  });
});
