import { Type } from '@sinclair/typebox';
import { compileReviver } from './revive';
import { Binary, DateTime } from './wire-types';

const ISO = '2026-11-26T14:08:55.000Z';
const AT = new Date(ISO);

describe('compileReviver', () => {
  it('is the identity, walking nothing, for a schema without dates or bytes', () => {
    const revive = compileReviver(Type.Object({ a: Type.Number(), b: Type.Array(Type.String({ format: 'email' })) }));
    const value = { a: 1, b: ['x@example.com'] };
    expect(revive(value)).toBe(value);
    expect(compileReviver(Type.Object({ a: Type.Number() }))).toBe(compileReviver(Type.Unknown()));
  });

  it('makes Dates and Uint8Arrays of declared params', () => {
    const revive = compileReviver(Type.Object({ at: DateTime(), bytes: Binary(), n: Type.Number(), later: Type.Optional(DateTime()) }));
    const out = revive({ at: ISO, bytes: 'AP8=', n: 1 }) as Record<string, unknown>;
    expect(out).toEqual({ at: AT, bytes: new Uint8Array([0, 255]), n: 1 });
    expect(out.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out.bytes)).toBe(false);
    expect((out.bytes as Uint8Array).buffer.byteLength).toBe(2);
    expect('later' in out).toBe(false);
  });

  it('reads offsets and a leap second', () => {
    const revive = compileReviver(DateTime());
    expect(revive('2000-04-01T00:00:00+02:00')).toEqual(new Date('2000-03-31T22:00:00Z'));
    expect(revive('2016-12-31T23:59:60Z')).toEqual(new Date('2017-01-01T00:00:00Z'));
  });

  it('follows arrays, tuples, records and nested objects', () => {
    const schema = Type.Object({
      list: Type.Array(DateTime()),
      pair: Type.Tuple([Type.String(), Binary()]),
      byDay: Type.Record(Type.String(), Type.Object({ at: DateTime() })),
      nested: Type.Object({ deeper: Type.Object({ bytes: Binary() }) }),
    });
    const out = compileReviver(schema)({ list: [ISO, ISO], pair: [ISO, 'aGk='], byDay: { mon: { at: ISO } }, nested: { deeper: { bytes: '' } } });
    expect(out).toEqual({ list: [AT, AT], pair: [ISO, new Uint8Array([104, 105])], byDay: { mon: { at: AT } }, nested: { deeper: { bytes: new Uint8Array() } } });
  });

  it('follows additionalProperties only for keys that properties do not name', () => {
    const revive = compileReviver({ type: 'object', properties: { name: { type: 'string' } }, additionalProperties: { type: 'string', format: 'date-time' } });
    expect(revive({ name: ISO, other: ISO })).toEqual({ name: ISO, other: AT });
  });

  it('follows 2020-12 prefixItems with items for the rest', () => {
    const revive = compileReviver({ type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'string', format: 'date-time' } });
    expect(revive([ISO, ISO, ISO])).toEqual([ISO, AT, AT]);
  });

  it('revives by the union branch the value matches', () => {
    const revive = compileReviver(Type.Object({ when: Type.Union([DateTime(), Type.String(), Type.Null()]), what: Type.Union([Type.Object({ at: DateTime() }), Type.Object({ bytes: Binary() })]) }));
    expect(revive({ when: ISO, what: { bytes: 'AQ==' } })).toEqual({ when: AT, what: { bytes: new Uint8Array([1]) } });
    expect(revive({ when: 'soon', what: { at: ISO } })).toEqual({ when: 'soon', what: { at: AT } });
    expect(revive({ when: null, what: { at: ISO } })).toEqual({ when: null, what: { at: AT } });
  });

  it('applies every member of an intersection', () => {
    const revive = compileReviver(Type.Intersect([Type.Object({ a: DateTime() }), Type.Object({ b: Binary() })]));
    expect(revive({ a: ISO, b: 'AQ==' })).toEqual({ a: AT, b: new Uint8Array([1]) });
  });

  it('never mutates its input and leaves what it does not expect', () => {
    const revive = compileReviver(Type.Object({ at: DateTime(), list: Type.Array(Binary()) }));
    const input = Object.freeze({ at: ISO, list: Object.freeze(['AQ==']) });
    expect(revive(input)).toEqual({ at: AT, list: [new Uint8Array([1])] });
    expect(input).toEqual({ at: ISO, list: ['AQ=='] });
    expect(revive('not an object')).toBe('not an object');
    expect(revive({ at: 42, list: 'x' })).toEqual({ at: 42, list: 'x' });
    expect(compileReviver(DateTime())('not a date')).toBe('not a date');
  });

  it('keeps a key named __proto__ a key', () => {
    const revive = compileReviver(Type.Record(Type.String(), DateTime()));
    const out = revive(JSON.parse(`{"__proto__": "${ISO}"}`)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual(AT);
  });
});
