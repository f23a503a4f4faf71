/** Where a JSON text stops being JSON, and what was expected there. */
export interface SyntaxProblem {
  /** Offset in characters (UTF-16 code units) from the start of the text. */
  position: number;
  line: number;
  column: number;
  expected: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'after';

/**
 * Finds the first syntax error of a text `JSON.parse` refused. Only on the error path: V8 names a
 * position for some mistakes and not for others ("Unexpected token"), and a client needs one for
 * all. Iterative, like every walk over what strangers send.
 */
export function locateSyntaxError(text: string): SyntaxProblem | undefined {
  const stack: ('array' | 'object')[] = [];
  let i = skipSpace(text, 0);
  let state: State = 'value';
  const fail = (at: number, expected: string) => at2problem(text, at, expected);
  for (;;) {
    const c = text[i];
    switch (state) {
      case 'valueOrEnd':
      case 'value': {
        if (state === 'valueOrEnd' && c === ']') {
          stack.pop();
          i = skipSpace(text, i + 1);
          state = 'after';
          break;
        }
        if (c === '{') {
          stack.push('object');
          i = skipSpace(text, i + 1);
          state = 'keyOrEnd';
          break;
        }
        if (c === '[') {
          stack.push('array');
          i = skipSpace(text, i + 1);
          state = 'valueOrEnd';
          break;
        }
        const end = scalarEnd(text, i);
        if (typeof end !== 'number') return fail(end.at, end.expected);
        i = skipSpace(text, end);
        state = 'after';
        break;
      }
      case 'keyOrEnd':
      case 'key': {
        if (state === 'keyOrEnd' && c === '}') {
          stack.pop();
          i = skipSpace(text, i + 1);
          state = 'after';
          break;
        }
        if (c !== '"') return fail(i, 'a property name in double quotes');
        const end = stringEnd(text, i);
        if (typeof end !== 'number') return fail(end.at, end.expected);
        i = skipSpace(text, end);
        if (text[i] !== ':') return fail(i, "':' after the property name");
        i = skipSpace(text, i + 1);
        state = 'value';
        break;
      }
      case 'after': {
        const top = stack[stack.length - 1];
        if (top === undefined) return i < text.length ? fail(i, 'nothing after the JSON value') : undefined;
        if (c === ',') {
          i = skipSpace(text, i + 1);
          state = top === 'object' ? 'key' : 'value';
          break;
        }
        if (c === (top === 'object' ? '}' : ']')) {
          stack.pop();
          i = skipSpace(text, i + 1);
          break;
        }
        return fail(i, top === 'object' ? "',' or '}' after a property value" : "',' or ']' after an array element");
      }
    }
  }
}

function scalarEnd(text: string, i: number): number | { at: number; expected: string } {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  for (const word of ['true', 'false', 'null']) {
    if (c !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (text[i + k] !== word[k]) return { at: i + k, expected: `"${word}"` };
    return i + word.length;
  }
  NUMBER.lastIndex = i;
  if (c === '-' || (c >= '0' && c <= '9')) {
    const m = NUMBER.exec(text);
    if (m === null) return { at: i + 1, expected: 'a digit' };
    return i + m[0].length;
  }
  return { at: i, expected: 'a value (object, array, string, number, true, false or null)' };
}

function stringEnd(text: string, start: number): number | { at: number; expected: string } {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { at: i, expected: 'no control character inside a string (escape it)' };
    if (code === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!HEX4.test(text.slice(i + 2, i + 6))) return { at: i + 1, expected: 'four hex digits after \\u' };
        i += 5;
      } else if (e !== undefined && ESCAPES.has(e)) {
        i += 1;
      } else {
        return { at: i + 1, expected: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' };
      }
    }
  }
  return { at: text.length, expected: 'the closing quote of the string' };
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

function at2problem(text: string, position: number, expected: string): SyntaxProblem {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { position, line, column: position - lineStart + 1, expected };
}

/** `unexpected "x" at position 39 (line 1, column 40); expected ...` */
export function describeSyntaxProblem(text: string, p: SyntaxProblem): string {
  const found = p.position >= text.length ? 'end of input' : JSON.stringify(String.fromCodePoint(text.codePointAt(p.position)!));
  return `unexpected ${found} at position ${p.position} (line ${p.line}, column ${p.column}); expected ${p.expected}`;
}
