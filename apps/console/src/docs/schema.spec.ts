import { Binary, DateTime, Type } from '@junction/core';
import { paramRows, resultRows, type Schema, typeLabel } from './schema';

const plain = (s: unknown) => JSON.parse(JSON.stringify(s)) as Schema;

describe('paramRows', () => {
  it('gives each param its type, required, default, description and constraints', () => {
    const rows = paramRows([
      { name: 'code', schema: plain(Type.String({ pattern: '^sh[0-9]{4}$', description: 'A shot code.' })), required: true },
      { name: 'limit', schema: plain(Type.Integer({ minimum: 1, maximum: 100, default: 20 })), required: false },
      { name: 'status', schema: plain(Type.Union([Type.Literal('wip'), Type.Literal('final')])), required: false },
    ]);
    expect(rows).toEqual([
      { path: 'code', depth: 0, type: 'string', required: true, default: undefined, description: 'A shot code.', constraints: ['pattern ^sh[0-9]{4}$'] },
      { path: 'limit', depth: 0, type: 'integer', required: false, default: '20', description: '', constraints: ['>= 1', '<= 100'] },
      { path: 'status', depth: 0, type: '"wip" | "final"', required: false, default: undefined, description: '', constraints: [] },
    ]);
  });

  it('walks nested objects and arrays of objects, with dotted paths and their own required', () => {
    const shot = Type.Object({ code: Type.String(), frames: Type.Optional(Type.Object({ in: Type.Integer(), out: Type.Integer() })) });
    const rows = paramRows([
      { name: 'shot', schema: plain(shot), required: true },
      { name: 'shots', schema: plain(Type.Array(shot, { minItems: 1 })), required: false },
      { name: 'byStatus', schema: plain(Type.Record(Type.String(), Type.Object({ count: Type.Integer() }))), required: false },
    ]);
    expect(rows.map((r) => [r.path, r.depth, r.type, r.required])).toEqual([
      ['shot', 0, 'object', true],
      ['shot.code', 1, 'string', true],
      ['shot.frames', 1, 'object', false],
      ['shot.frames.in', 2, 'integer', true],
      ['shot.frames.out', 2, 'integer', true],
      ['shots', 0, 'array of object', false],
      ['shots[].code', 1, 'string', true],
      ['shots[].frames', 1, 'object', false],
      ['shots[].frames.in', 2, 'integer', true],
      ['shots[].frames.out', 2, 'integer', true],
      ['byStatus', 0, 'map of object', false],
      ['byStatus.<key>.count', 1, 'integer', true],
    ]);
    expect(rows[5].constraints).toEqual(['items >= 1']);
  });

  it('names the wire types DateTime and Binary', () => {
    const rows = paramRows([
      { name: 'at', schema: plain(DateTime()), required: true },
      { name: 'data', schema: plain(Binary({ maxLength: 100 })), required: true },
    ]);
    expect(rows.map((r) => [r.type, r.constraints])).toEqual([
      ['DateTime', ['ISO 8601 with a zone']],
      ['Binary', ['length <= 100', 'base64']],
    ]);
  });

  it("takes the param's description when its schema has none", () => {
    expect(paramRows([{ name: 'x', schema: {}, required: false, description: 'From describe.' }])[0]).toMatchObject({ type: 'any', description: 'From describe.' });
  });
});

describe('resultRows', () => {
  it("lists an object result's fields at the top, an array of objects' under []", () => {
    expect(resultRows(plain(Type.Object({ code: Type.String(), n: Type.Optional(Type.Number()) }))).map((r) => [r.path, r.required])).toEqual([
      ['result', true],
      ['code', true],
      ['n', false],
    ]);
    expect(resultRows(plain(Type.Array(Type.Object({ code: Type.String() })))).map((r) => r.path)).toEqual(['result', '[].code']);
    expect(resultRows(plain(Type.Number())).map((r) => [r.path, r.type])).toEqual([['result', 'number']]);
  });
});

describe('typeLabel', () => {
  it('reads tuples, nullable types and constants', () => {
    expect(typeLabel(plain(Type.Tuple([Type.String(), Type.Number()])))).toBe('[string, number]');
    expect(typeLabel(plain(Type.Union([Type.String(), Type.Null()])))).toBe('string | null');
    expect(typeLabel(plain(Type.Literal('ok')))).toBe('"ok"');
    expect(typeLabel(plain(Type.Array(Type.Number())))).toBe('array of number');
  });
});
