import { Binary, DateTime, Type } from '@junction/core';
import { plainValue, SchemaExporter } from './schema-export';
import { schemaCompiler } from './validators.test-support';

const exporter = (dialect: 'draft-07' | '2020-12' = '2020-12') => new SchemaExporter({ dialect, refBase: '#/components/schemas/' });

/** Every key of every object in a value, symbols included, and every leaf's JavaScript type. */
function inventory(value: unknown, keys: (string | symbol)[] = [], leaves = new Set<string>()): { keys: (string | symbol)[]; leaves: Set<string> } {
  if (typeof value === 'object' && value !== null) {
    if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) leaves.add(`instance of ${value.constructor?.name}`);
    keys.push(...Reflect.ownKeys(value));
    for (const v of Object.values(value)) inventory(v, keys, leaves);
  } else {
    leaves.add(value === null ? 'null' : typeof value);
  }
  return { keys, leaves };
}

describe('SchemaExporter', () => {
  it('keeps no TypeBox symbol and no value JSON cannot hold', () => {
    const raw = Type.Object({
      a: Type.Optional(Type.Readonly(Type.String())),
      b: Type.Date({ default: new Date(0) }),
      c: Type.Integer({ default: 10n as unknown as number, maximum: Infinity }),
      d: Type.Function([], Type.String()),
      e: Type.Unsafe({ type: 'string', default: () => 'x', examples: [Symbol('s'), 'ok'] }),
    });
    expect(Object.getOwnPropertySymbols(raw).length).toBeGreaterThan(0);
    const out = exporter().export(raw);
    const { keys, leaves } = inventory(out);
    expect(keys.filter((k) => typeof k === 'symbol')).toEqual([]);
    for (const leaf of leaves) expect(['boolean', 'number', 'string', 'null']).toContain(leaf);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    expect(out).toMatchObject({
      properties: {
        b: { type: 'string', format: 'date-time', default: '1970-01-01T00:00:00.000Z' },
        c: { type: 'integer', default: 10 },
        d: {},
        e: { type: 'string', examples: [null, 'ok'] },
      },
    });
    expect((out as { properties: { c: object } }).properties.c).not.toHaveProperty('maximum');
  });

  it.each([
    ['core DateTime()', DateTime({ description: 'when' }), { type: 'string', format: 'date-time', description: 'when' }],
    ['core Binary()', Binary({ maxLength: 8 }), { type: 'string', contentEncoding: 'base64', format: 'byte', maxLength: 8 }],
    ['Type.Date()', Type.Date({ minimumTimestamp: 0, description: 'when' }), { type: 'string', format: 'date-time', description: 'when' }],
    ['Type.Uint8Array()', Type.Uint8Array({ maxByteLength: 8 }), { type: 'string', contentEncoding: 'base64', format: 'byte' }],
    ['Type.Void()', Type.Void(), { type: 'null' }],
    ['Type.Undefined()', Type.Undefined(), { type: 'null' }],
    ['Type.BigInt()', Type.BigInt({ minimum: 1n }), { type: 'integer' }],
    ['Type.RegExp()', Type.RegExp(/^a+$/), { type: 'string', pattern: '^a+$' }],
    ['Type.Promise()', Type.Promise(Type.Number()), { type: 'number' }],
    ['Type.Symbol()', Type.Symbol({ title: 'S' }), { title: 'S' }],
    ['a $schema of its own', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' }, { type: 'string' }],
  ])('writes %s as it travels on the wire', (_what, schema, expected) => {
    expect(exporter().export(schema)).toEqual(expected);
  });

  it('writes tuples as 2020-12 prefixItems for OpenAPI and as draft-07 items for OpenRPC', () => {
    const tuple = Type.Tuple([Type.String(), DateTime()]);
    expect(exporter('2020-12').export(tuple)).toEqual({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'string', format: 'date-time' }], items: false, minItems: 2, maxItems: 2 });
    expect(exporter('draft-07').export(tuple)).toEqual({
      type: 'array',
      items: [{ type: 'string' }, { type: 'string', format: 'date-time' }],
      additionalItems: false,
      minItems: 2,
      maxItems: 2,
    });
    expect(exporter('draft-07').export({ type: 'array', prefixItems: [{ type: 'string' }], items: false })).toEqual({ type: 'array', items: [{ type: 'string' }], additionalItems: false });
  });

  it('drops the unevaluated keywords draft-07 does not have, and moves dependentRequired to dependencies', () => {
    const s = { type: 'object', unevaluatedProperties: false, dependentRequired: { a: ['b'] } };
    expect(exporter('draft-07').export(s)).toEqual({ type: 'object', dependencies: { a: ['b'] } });
    expect(exporter('2020-12').export(s)).toEqual(s);
  });

  it('makes a recursive type a component that refers to itself', () => {
    const Tree = Type.Recursive((This) => Type.Object({ name: Type.String(), children: Type.Array(This) }));
    const x = exporter();
    const ref = x.export(Type.Object({ root: Tree, other: Tree }));
    const components = x.components();
    const [name] = Object.keys(components);
    expect(Object.keys(components)).toHaveLength(1);
    expect(ref).toEqual({ type: 'object', required: ['root', 'other'], properties: { root: { $ref: `#/components/schemas/${name}` }, other: { $ref: `#/components/schemas/${name}` } } });
    expect(components[name]).toMatchObject({ properties: { children: { items: { $ref: `#/components/schemas/${name}` } } } });
    expect(components[name]).not.toHaveProperty('$id');
    const validate = schemaCompiler('2020-12', components)(ref);
    expect(validate({ root: { name: 'a', children: [{ name: 'b', children: [] }] }, other: { name: 'c', children: [] } })).toBe(true);
    expect(validate({ root: { name: 'a', children: [{ name: 1, children: [] }] }, other: { name: 'c', children: [] } })).toBe(false);
  });

  it('gives two different schemas under the same $id names of their own', () => {
    const x = exporter();
    const a = x.export({ $id: 'T0', type: 'object', properties: { next: { $ref: 'T0' } } });
    const b = x.export({ $id: 'T0', type: 'string' });
    const c = x.export({ $id: 'T0', type: 'string' });
    expect(a).toEqual({ $ref: '#/components/schemas/T0' });
    expect(b).toEqual({ $ref: '#/components/schemas/T0_2' });
    expect(c).toEqual(b);
    expect(x.components()).toEqual({ T0: { type: 'object', properties: { next: { $ref: '#/components/schemas/T0' } } }, T0_2: { type: 'string' } });
  });

  it('resolves a Type.Ref to a schema another method declares, and documents one nobody declares', () => {
    const x = exporter();
    expect(x.export(Type.Ref('Shot'))).toEqual({ $ref: '#/components/schemas/Shot' });
    x.export(Type.Object({ code: Type.String() }, { $id: 'Shot' }));
    expect(x.export({ $ref: 'urn:nowhere' })).toEqual({ $ref: '#/components/schemas/urn_nowhere' });
    const components = x.components();
    expect(components.Shot).toEqual({ type: 'object', required: ['code'], properties: { code: { type: 'string' } } });
    expect(components.urn_nowhere).toEqual({ description: expect.stringContaining('urn:nowhere') });
  });

  it('keeps away from reserved component names', () => {
    const x = new SchemaExporter({ dialect: '2020-12', refBase: '#/c/', reserved: ['Error'] });
    expect(x.export({ $id: 'Error', type: 'string' })).toEqual({ $ref: '#/c/Error_2' });
  });

  it('ends on an object that contains itself', () => {
    const loop: Record<string, unknown> = { type: 'object', properties: {} };
    (loop.properties as Record<string, unknown>).self = loop;
    expect(() => JSON.stringify(exporter().export(loop))).not.toThrow();
  });
});

describe('plainValue', () => {
  it('is what JSON carries: wire forms for dates and bytes, numbers for bigints, nothing for functions', () => {
    expect(plainValue({ at: new Date(0), bytes: Uint8Array.of(255), n: 3n, f: () => 1, list: [undefined, NaN] })).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      bytes: '/w==',
      n: 3,
      list: [null, null],
    });
    expect(plainValue(undefined)).toBeUndefined();
  });
});
