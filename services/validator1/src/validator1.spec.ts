import { defineFake, isJunctionError, toWireValue } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { fake, service } from './index';

/** mulberry32: a small seeded generator, so the generated data is random-looking but the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const ALPHABET = ['a', 'b', 'Z', '0', ' ', '<', '>', '&', "'", '"', 'é', '日', '\n', ';', '=', '/'];
const str = (r: Rand, max: number): string => Array.from({ length: int(r, 0, max) }, () => pick(r, ALPHABET)).join('');
const stooges = (r: Rand) => ({ moe: int(r, -1000, 1000), larry: int(r, -1000, 1000), curly: int(r, -1000, 1000) });
const pad = (n: number): string => String(n).padStart(2, '0');

const SEEDS = [1, 2, 3, 42, 1998, 20000401];

describe('validator1', () => {
  let host: TestHost;
  beforeAll(() => {
    host = hostServices(service);
  });
  afterAll(() => host.close());

  const call = (method: string, args: unknown) => host.call(`validator1.${method}`, args as never);
  const failure = (method: string, args: unknown) => call(method, args).catch((e: unknown) => e) as Promise<Error & { code?: string; data?: Record<string, unknown> }>;

  describe('arrayOfStructsTest', () => {
    it.each(SEEDS)('sums the curly members of generated structs (seed %i)', async (seed) => {
      const r = rng(seed);
      const structs = Array.from({ length: int(r, 1, 50) }, () => stooges(r));
      const expected = structs.reduce((s, x) => s + x.curly, 0);
      await expect(call('arrayOfStructsTest', [structs])).resolves.toBe(expected);
      await expect(call('arrayOfStructsTest', { structs })).resolves.toBe(expected);
    });

    it('answers 0 for an empty array and ignores extra members', async () => {
      await expect(call('arrayOfStructsTest', [[]])).resolves.toBe(0);
      await expect(call('arrayOfStructsTest', [[{ moe: 1, larry: 2, curly: 3, shemp: 100 }]])).resolves.toBe(3);
    });

    it('refuses a struct without curly, naming where', async () => {
      const err = await failure('arrayOfStructsTest', [[{ moe: 1, larry: 2, curly: 3 }, { moe: 1, larry: 2 }]]);
      expect(isJunctionError(err) && err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/structs/1/curly is required');
    });
  });

  describe('countTheEntities', () => {
    it.each(SEEDS)('counts < > & \' " in a generated string (seed %i)', async (seed) => {
      const r = rng(seed);
      const text = str(r, 300);
      const n = (c: string) => text.split(c).length - 1;
      await expect(call('countTheEntities', [text])).resolves.toEqual({
        ctLeftAngleBrackets: n('<'),
        ctRightAngleBrackets: n('>'),
        ctAmpersands: n('&'),
        ctApostrophes: n("'"),
        ctQuotes: n('"'),
      });
    });

    it('counts nothing in an empty string and in text without entities', async () => {
      const zero = { ctLeftAngleBrackets: 0, ctRightAngleBrackets: 0, ctAmpersands: 0, ctApostrophes: 0, ctQuotes: 0 };
      await expect(call('countTheEntities', [''])).resolves.toEqual(zero);
      await expect(call('countTheEntities', ['plain text, 日本語'])).resolves.toEqual(zero);
      await expect(call('countTheEntities', ['&lt;&amp;'])).resolves.toEqual({ ...zero, ctAmpersands: 2 });
    });
  });

  describe('easyStructTest', () => {
    it.each(SEEDS)('adds moe, larry and curly (seed %i)', async (seed) => {
      const s = stooges(rng(seed));
      await expect(call('easyStructTest', [s])).resolves.toBe(s.moe + s.larry + s.curly);
    });

    it('handles zeros and negative numbers', async () => {
      await expect(call('easyStructTest', [{ moe: 0, larry: 0, curly: 0 }])).resolves.toBe(0);
      await expect(call('easyStructTest', [{ moe: -2147483648, larry: 2147483647, curly: 1 }])).resolves.toBe(0);
    });

    it('rejects a string where an int is expected, naming the param', async () => {
      const err = await failure('easyStructTest', [{ moe: '1', larry: 2, curly: 3 }]);
      expect(isJunctionError(err) && err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/struct/moe must be integer (got string)');
    });

    it('rejects a double where an int is expected', async () => {
      const err = await failure('easyStructTest', { struct: { moe: 1.5, larry: 2, curly: 3 } });
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/struct/moe must be integer');
    });

    it('refuses a second positional param', async () => {
      const err = await failure('easyStructTest', [{ moe: 1, larry: 2, curly: 3 }, 4]);
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('takes 1 param(s) (struct), got 2');
    });
  });

  describe('echoStructTest', () => {
    it.each(SEEDS)('echoes a generated nested struct (seed %i)', async (seed) => {
      const r = rng(seed);
      const struct: Record<string, unknown> = {};
      for (let i = 0; i < int(r, 1, 20); i++) {
        struct[`substruct${i}`] = pick(r, [() => stooges(r), () => str(r, 20), () => r() * 1000, () => r() < 0.5, () => [int(r, 0, 9), str(r, 5)], () => ({ deep: { er: str(r, 5) } })])();
      }
      await expect(call('echoStructTest', [struct])).resolves.toEqual(struct);
    });

    it('echoes an empty struct', async () => {
      await expect(call('echoStructTest', [{}])).resolves.toEqual({});
    });

    it('refuses an array in place of the struct', async () => {
      const err = await failure('echoStructTest', [[1, 2]]);
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/struct');
    });
  });

  describe('manyTypesTest', () => {
    it.each(SEEDS)('returns six generated params in order (seed %i)', async (seed) => {
      const r = rng(seed);
      const bytes = Buffer.from(Array.from({ length: int(r, 0, 64) }, () => int(r, 0, 255)));
      const params = [
        int(r, -2147483648, 2147483647),
        r() < 0.5,
        str(r, 40),
        (r() - 0.5) * 1e6,
        new Date(Date.UTC(int(r, 1970, 2037), int(r, 0, 11), int(r, 1, 28), int(r, 0, 23), int(r, 0, 59), int(r, 0, 59))).toISOString(),
        bytes.toString('base64'),
      ];
      await expect(call('manyTypesTest', params)).resolves.toEqual(params);
      // A Date and bytes in args are sent as a client would send them: the same call.
      await expect(call('manyTypesTest', [...params.slice(0, 4), new Date(params[4] as string), new Uint8Array(bytes)])).resolves.toEqual(params);
    });

    it('takes its params by name too, keeps the edge values, and answers a dateTime in UTC', async () => {
      const args = { number: 0, boolean: false, string: '', double: 0.1, dateTime: '2000-04-01T00:00:00+02:00', base64: '' };
      await expect(call('manyTypesTest', args)).resolves.toEqual([0, false, '', 0.1, '2000-03-31T22:00:00.000Z', '']);
    });

    it('hands its handler a Date and a Uint8Array, and sends them back as ISO and base64 text', async () => {
      const seen: Record<string, unknown>[] = [];
      const real = service.methods.manyTypesTest.handler;
      const spy = hostServices(defineFake(service, { manyTypesTest: (args, ctx) => (seen.push(args), real(args, ctx)) }));
      try {
        const answer = await spy.call('validator1.manyTypesTest', [1, true, 's', 1.5, '1998-07-17T14:08:55Z', 'AP8A/w==']);
        expect(answer).toEqual([1, true, 's', 1.5, '1998-07-17T14:08:55.000Z', 'AP8A/w==']);
        expect(seen[0].dateTime).toBeInstanceOf(Date);
        expect((seen[0].dateTime as Date).getTime()).toBe(Date.UTC(1998, 6, 17, 14, 8, 55));
        expect(seen[0].base64).toBeInstanceOf(Uint8Array);
        expect([...(seen[0].base64 as Uint8Array)]).toEqual([0, 255, 0, 255]);
      } finally {
        await spy.close();
      }
    });

    it('refuses base64 that is not base64, naming the param', async () => {
      const err = await failure('manyTypesTest', [1, true, 's', 1.5, '2000-01-01T00:00:00Z', 'not base64!']);
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/base64 must match format "byte"');
    });

    it('rejects a dateTime that is not ISO 8601, naming the param', async () => {
      const err = await failure('manyTypesTest', [1, true, 's', 1.5, 'yesterday', 'AA==']);
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/dateTime must match format "date-time"');
    });

    it('refuses too few params, naming the missing one', async () => {
      const err = await failure('manyTypesTest', [1, true, 's', 1.5, '2000-01-01T00:00:00Z']);
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/base64 is required');
    });
  });

  describe('moderateSizeArrayCheck', () => {
    it.each(SEEDS)('concatenates the first and last of 100-200 generated strings (seed %i)', async (seed) => {
      const r = rng(seed);
      const strings = Array.from({ length: int(r, 100, 200) }, () => str(r, 12));
      await expect(call('moderateSizeArrayCheck', [strings])).resolves.toBe(strings[0] + strings[strings.length - 1]);
    });

    it('accepts exactly 100 and exactly 200 strings', async () => {
      const s100 = Array.from({ length: 100 }, (_, i) => `s${i}`);
      const s200 = Array.from({ length: 200 }, (_, i) => `t${i}`);
      await expect(call('moderateSizeArrayCheck', [s100])).resolves.toBe('s0s99');
      await expect(call('moderateSizeArrayCheck', [s200])).resolves.toBe('t0t199');
    });

    it('refuses 99 or 201 strings, naming the param', async () => {
      for (const length of [99, 201]) {
        const err = await failure('moderateSizeArrayCheck', [Array.from({ length }, () => 'x')]);
        expect(err.code).toBe('INVALID_PARAMS');
        expect(err.message).toContain('/strings must NOT have');
      }
    });
  });

  describe('nestedStructTest', () => {
    function calendar(r: Rand): { cal: Record<string, Record<string, Record<string, ReturnType<typeof stooges>>>>; expected: number } {
      const cal: Record<string, Record<string, Record<string, ReturnType<typeof stooges>>>> = {};
      for (let y = 1998; y <= 2002; y++) {
        cal[String(y)] = {};
        for (let m = 1; m <= 12; m++) {
          if (r() < 0.5 && !(y === 2000 && m === 4)) continue;
          const days: Record<string, ReturnType<typeof stooges>> = {};
          for (let d = 1; d <= 28; d++) if (r() < 0.3) days[pad(d)] = stooges(r);
          cal[String(y)][pad(m)] = days;
        }
      }
      const day = stooges(r);
      cal['2000']['04']['01'] = day;
      return { cal, expected: day.moe + day.larry + day.curly };
    }

    it.each(SEEDS)('adds the stooges of April 1st, 2000 in a generated calendar (seed %i)', async (seed) => {
      const { cal, expected } = calendar(rng(seed));
      await expect(call('nestedStructTest', [cal])).resolves.toBe(expected);
    });

    it.each([
      ['year', {}, 'year "2000" is missing'],
      ['month', { '2000': { '03': { '01': { moe: 1, larry: 1, curly: 1 } } } }, 'month "04" of 2000 is missing'],
      ['day', { '2000': { '04': { '02': { moe: 1, larry: 1, curly: 1 } } } }, 'day "01" of April 2000 is missing'],
    ])('refuses with NOT_FOUND when the %s is absent', async (_what, cal, says) => {
      const err = await failure('nestedStructTest', [cal]);
      expect(isJunctionError(err) && err.code).toBe('SERVICE_ERROR');
      expect(err.data).toMatchObject({ reason: 'NOT_FOUND' });
      expect(err.message).toContain('no entry for April 1st, 2000');
      expect(err.message).toContain(says);
    });
  });

  describe('simpleStructReturnTest', () => {
    it.each(SEEDS)('multiplies a generated number by 10, 100 and 1000 (seed %i)', async (seed) => {
      const n = int(rng(seed), -2000000, 2000000);
      await expect(call('simpleStructReturnTest', [n])).resolves.toEqual({ times10: n * 10, times100: n * 100, times1000: n * 1000 });
    });

    it('handles zero and negatives', async () => {
      await expect(call('simpleStructReturnTest', [0])).resolves.toEqual({ times10: 0, times100: 0, times1000: 0 });
      await expect(call('simpleStructReturnTest', [-1])).resolves.toEqual({ times10: -10, times100: -100, times1000: -1000 });
    });

    it('rejects a string, naming the param and the type', async () => {
      const err = await failure('simpleStructReturnTest', ['7']);
      expect(isJunctionError(err) && err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('/number must be number (got string)');
    });
  });

  it('declares every method idempotent and safe, with a description and one example', () => {
    expect(Object.keys(service.methods).sort()).toEqual([
      'arrayOfStructsTest',
      'countTheEntities',
      'easyStructTest',
      'echoStructTest',
      'manyTypesTest',
      'moderateSizeArrayCheck',
      'nestedStructTest',
      'simpleStructReturnTest',
    ]);
    for (const m of Object.values(service.methods)) {
      expect(m).toMatchObject({ idempotent: true, safe: true });
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.examples).toHaveLength(1);
    }
    const dt = service.methods.manyTypesTest.params.properties.dateTime;
    expect(dt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(service.methods.manyTypesTest.params.properties.base64).toMatchObject({ type: 'string', contentEncoding: 'base64', format: 'byte' });
    expect(service.methods.manyTypesTest.result).toMatchObject({ items: [{}, {}, {}, {}, { format: 'date-time' }, { contentEncoding: 'base64' }] });
  });

  it('answers every documented example with its documented result, by name and by position', async () => {
    let n = 0;
    for (const [name, m] of Object.entries(service.methods)) {
      for (const ex of m.examples) {
        expect('result' in ex).toBe(true);
        // Results come back in wire form: an example's Date and bytes as ISO and base64 text.
        await expect(call(name, ex.args)).resolves.toEqual(toWireValue(ex.result));
        await expect(call(name, Object.values(ex.args))).resolves.toEqual(toWireValue(ex.result));
        n++;
      }
    }
    expect(n).toBe(8);
  });

  it('has a fake with the same methods and schemas', async () => {
    expect(Object.keys(fake.methods)).toEqual(Object.keys(service.methods));
    const fakeHost = hostServices(fake);
    try {
      await expect(fakeHost.call('validator1.easyStructTest', [{ moe: 1, larry: 2, curly: 3 }])).resolves.toBe(0);
      await expect(fakeHost.call('validator1.echoStructTest', [{ a: 1 }])).resolves.toEqual({ a: 1 });
      await expect(fakeHost.call('validator1.nestedStructTest', [{}])).rejects.toMatchObject({ code: 'SERVICE_ERROR', data: { reason: 'NOT_FOUND' } });
      await expect(fakeHost.call('validator1.easyStructTest', [{ moe: 'x', larry: 2, curly: 3 }])).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      for (const [name, m] of Object.entries(fake.methods)) {
        for (const ex of m.examples) await expect(fakeHost.call(`validator1.${name}`, ex.args)).resolves.toBeDefined();
      }
    } finally {
      await fakeHost.close();
    }
  });
});
