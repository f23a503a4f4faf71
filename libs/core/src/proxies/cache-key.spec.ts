import { cacheKey, canonicalJson, namedArgs } from './cache-key';
import { described, param, request } from './proxy.test-support';

describe('canonicalJson', () => {
  it('sorts the keys of every object, at every depth, and keeps the order of arrays', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined members of objects and makes them null in arrays, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it('writes values with a toJSON (a Date) as JSON would', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });
});

describe('cacheKey', () => {
  const subtract = described('subtract', {
    params: [
      param('minuend'),
      param('subtrahend'),
    ],
  });
  const sum = described('sum', { variadic: true, params: [param('values')] });

  it('is one key for the same args in any key order, by position or by name', () => {
    const keys = [request('calc', 'subtract', { minuend: 42, subtrahend: 23 }), request('calc', 'subtract', { subtrahend: 23, minuend: 42 }), request('calc', 'subtract', [42, 23])].map((r) =>
      cacheKey(r, subtract),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^calc\.subtract:[A-Za-z0-9_-]{43}$/);
  });

  it('differs by args, method and service', () => {
    const keys = [
      cacheKey(request('calc', 'subtract', [42, 23]), subtract),
      cacheKey(request('calc', 'subtract', [23, 42]), subtract),
      cacheKey(request('calc', 'other', [42, 23]), subtract),
      cacheKey(request('calk', 'subtract', [42, 23]), subtract),
    ];
    expect(new Set(keys).size).toBe(4);
  });

  it('maps the positional rest of a variadic method like the provider', () => {
    expect(namedArgs([1, 2, 4], sum)).toEqual({ values: [1, 2, 4] });
    expect(cacheKey(request('calc', 'sum', [1, 2, 4]), sum)).toBe(cacheKey(request('calc', 'sum', { values: [1, 2, 4] }), sum));
  });

  it('leaves too many positional args as an array, never reading like an object', () => {
    expect(namedArgs([1, 2, 3], subtract)).toEqual([1, 2, 3]);
  });

  it("adds the caller's roles (sorted, once each) when the method has access, and only then", () => {
    const guarded = { ...subtract, access: ['artist'] };
    const as = (roles: string[]) => request('calc', 'subtract', [1, 2], { caller: { identity: 'x', roles } });
    expect(cacheKey(as(['artist', 'lead']), guarded)).toBe(cacheKey(as(['lead', 'artist', 'lead']), guarded));
    expect(cacheKey(as(['artist']), guarded)).not.toBe(cacheKey(as(['artist', 'lead']), guarded));
    expect(cacheKey(as(['artist']), subtract)).toBe(cacheKey(as(['artist', 'lead']), subtract));
  });
});
