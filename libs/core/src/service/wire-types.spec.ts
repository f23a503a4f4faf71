import { runInNewContext } from 'node:vm';
import { type Static, Type } from '@sinclair/typebox';
import { checkService } from './check';
import { defineService, method } from './define';
import { Binary, DateTime, toWireValue } from './wire-types';
import { compileSchema } from '../provider/schemas';

describe('DateTime() and Binary()', () => {
  it('type the handler side as Date and Uint8Array while the schema stays the wire form', () => {
    const when = DateTime({ description: 'When.' });
    const bytes = Binary({ maxLength: 8 });
    const typed: [Static<typeof when>, Static<typeof bytes>] = [new Date(0), new Uint8Array(1)];
    expect(typed).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(when))).toEqual({ type: 'string', format: 'date-time', description: 'When.' });
    expect(JSON.parse(JSON.stringify(bytes))).toEqual({ type: 'string', contentEncoding: 'base64', format: 'byte', maxLength: 8 });
  });

  it('keep their type and format whatever the options say', () => {
    expect(DateTime({ format: 'email', type: 'number' } as never)).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('validate ISO 8601 with a zone and strict base64', () => {
    const date = compileSchema(DateTime(), 'test');
    expect(['2000-04-01T00:00:00Z', '2000-04-01T00:00:00.123+02:00', '2016-12-31T23:59:60Z'].map((s) => date(s))).toEqual([true, true, true]);
    expect(['2000-04-01T00:00:00', 'yesterday', '2000-13-01T00:00:00Z', ''].map((s) => date(s))).toEqual([false, false, false, false]);
    const b64 = compileSchema(Binary(), 'test');
    expect(['', 'AA==', 'aGVsbG8=', 'AP8='].map((s) => b64(s))).toEqual([true, true, true, true]);
    expect(['aGVsbG8', '!!!!', 'a b=', 'AA=='.repeat(2) + 'A'].map((s) => b64(s))).toEqual([false, false, false, false]);
  });
});

describe('toWireValue', () => {
  it('turns Dates into ISO strings and bytes into base64, at any depth', () => {
    const value = { at: new Date(Date.UTC(2026, 10, 26, 14, 8, 55)), list: [new Uint8Array([0, 255]), Buffer.from('hi'), 3], n: null, s: 'x' };
    expect(toWireValue(value)).toEqual({ at: '2026-11-26T14:08:55.000Z', list: ['AP8=', 'aGk=', 3], n: null, s: 'x' });
  });

  it('encodes only the bytes of a view, not the whole buffer behind it', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5]);
    expect(toWireValue(whole.subarray(1, 3))).toBe(Buffer.from([2, 3]).toString('base64'));
  });

  it('returns the same value, allocating nothing, when there is nothing to convert', () => {
    const value = { a: [1, 'two', { three: true }], b: null };
    expect(toWireValue(value)).toBe(value);
    expect(toWireValue('text')).toBe('text');
  });

  it('copies the containers it changes and leaves the input alone', () => {
    const inner = { at: new Date(0) };
    const untouched = { k: 1 };
    const value = Object.freeze({ inner, untouched, list: Object.freeze([inner]) });
    const out = toWireValue(value) as { inner: { at: unknown }; untouched: unknown; list: unknown[] };
    expect(out.inner.at).toBe('1970-01-01T00:00:00.000Z');
    expect(out.untouched).toBe(untouched);
    expect(inner.at).toBeInstanceOf(Date);
  });

  it('keeps a key named __proto__ a key', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    Object.defineProperty(value, 'at', { value: new Date(0), enumerable: true });
    const out = toWireValue(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'at']);
  });

  it('converts Dates and bytes made in another realm', () => {
    const foreign = runInNewContext('({ at: new Date(0), list: [new Uint8Array([1])] })') as unknown;
    expect(JSON.parse(JSON.stringify(toWireValue(foreign)))).toEqual({ at: '1970-01-01T00:00:00.000Z', list: ['AQ=='] });
  });

  it('sends an invalid Date as text its validator refuses', () => {
    expect(toWireValue(new Date('nonsense'))).toBe('Invalid Date');
  });

  it('leaves class instances to their own JSON form', () => {
    const url = new URL('https://example.com/');
    expect(toWireValue({ url })).toEqual({ url });
  });
});

describe('checkService on date and binary params', () => {
  const service = (params: Parameters<typeof method>[0]['params']) =>
    defineService({ name: 'dates', version: '1.0.0', description: 'd', methods: { at: method({ description: 'd', params, result: Type.Null(), handler: () => null }) } });

  it('refuses a plain Type.String date-time or base64 param, naming the param and the fix', () => {
    expect(checkService(service({ since: Type.String({ format: 'date-time' }), blob: Type.Optional(Type.String({ contentEncoding: 'base64' })) }))).toEqual([
      `service "dates", method "at": param "since" is Type.String({ format: 'date-time' }), typed string while its handler receives a Date; declare it with DateTime() from @junction/core`,
      `service "dates", method "at": param "blob" is Type.String({ contentEncoding: 'base64' }), typed string while its handler receives a Uint8Array; declare it with Binary() from @junction/core`,
    ]);
  });

  it('finds one nested in objects, arrays and unions', () => {
    const problems = checkService(service({ events: Type.Array(Type.Object({ at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) })) }));
    expect(problems).toEqual([expect.stringContaining('param "events" at /items/properties/at/anyOf/0 is Type.String({ format: \'date-time\' })')]);
  });

  it('accepts DateTime() and Binary() params, and a plain string date-time result', () => {
    const ok = defineService({
      name: 'dates',
      version: '1.0.0',
      description: 'd',
      methods: {
        at: method({ description: 'd', params: { since: DateTime(), blob: Binary() }, result: Type.String({ format: 'date-time' }), handler: ({ since }) => since.toISOString() }),
      },
    });
    expect(checkService(ok)).toEqual([]);
  });
});
