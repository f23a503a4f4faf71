import { describeSyntaxProblem, locateSyntaxError } from './json-syntax';

const v8Position = (text: string): number | undefined => {
  try {
    JSON.parse(text);
  } catch (err) {
    const m = / at position (\d+)/.exec((err as Error).message);
    return m === null ? undefined : Number(m[1]);
  }
  throw new Error(`${text} is valid JSON`);
};

describe('locateSyntaxError', () => {
  it.each(['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', ' {"a": [1, true, false, null, {"b": "c"}]} ', '[[[]]]'])('finds nothing wrong in %s', (text) => {
    expect(locateSyntaxError(text)).toBeUndefined();
  });

  it.each([
    ['{a}', 1, 'a property name in double quotes'],
    ['[1,]', 3, 'a value (object, array, string, number, true, false or null)'],
    ['{"a":tru}', 8, '"true"'],
    ['{"a":1}}', 7, 'nothing after the JSON value'],
    ['"abc', 4, 'the closing quote of the string'],
    ['{"a": 01}', 7, "',' or '}' after a property value"],
    ['{"a":"\\x"}', 7, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'],
    ['["a\tb"]', 3, 'no control character inside a string (escape it)'],
    ['[1 2]', 3, "',' or ']' after an array element"],
    ['nope', 1, '"null"'],
    ['', 0, 'a value (object, array, string, number, true, false or null)'],
    ['{"a" 1}', 5, "':' after the property name"],
    ['-x', 1, 'a digit'],
    ['"\\u12g4"', 2, 'four hex digits after \\u'],
  ])('finds the mistake in %j at %i', (text, position, expected) => {
    expect(locateSyntaxError(text)).toMatchObject({ position, expected });
  });

  it('agrees with V8 wherever V8 names a position', () => {
    const texts = ['{a}', '{"a":1}}', '"abc', '{"a": 01}', '{"a":"\\x"}', '[1] x', '{"a":1,\n"b" 2}', '{"a" 1}'];
    for (const text of texts) {
      const v8 = v8Position(text);
      if (v8 !== undefined) expect([text, locateSyntaxError(text)!.position]).toEqual([text, v8]);
    }
  });

  it('counts lines and columns', () => {
    const text = '{\n  "a": 1,\n  "b" 2\n}';
    expect(locateSyntaxError(text)).toMatchObject({ line: 3, column: 7 });
    expect(describeSyntaxProblem(text, locateSyntaxError(text)!)).toBe(`unexpected "2" at position 18 (line 3, column 7); expected ':' after the property name`);
  });

  it('walks deep nesting without recursion', () => {
    expect(locateSyntaxError('['.repeat(300_000))).toMatchObject({ position: 300_000 });
  });
});
