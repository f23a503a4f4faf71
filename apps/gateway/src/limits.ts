import { JunctionError } from '@junction/core';
import { type FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { describeSyntaxProblem, locateSyntaxError } from './json-syntax';

/** The media types read as JSON: the standard one and the two JSON-RPC clients still send. */
export const JSON_TYPES = ['application/json', 'application/json-rpc', 'application/jsonrequest'];

const SECURE = { protoAction: 'error', constructorAction: 'error' } as const;

export interface BodyLimits {
  /** Largest body in bytes; fastify answers FST_ERR_CTP_BODY_TOO_LARGE past it. */
  bodyLimit: number;
  maxDepth: number;
}

/**
 * Replaces fastify's body parsers with ours: JSON only, read as one string, then `parseJson`. Any
 * other content type is refused by fastify (FST_ERR_CTP_INVALID_MEDIA_TYPE); each protocol words
 * that refusal its own way. An empty body parses to `undefined`, for the protocol to judge.
 */
export function useJsonBodies(app: FastifyInstance, limits: BodyLimits): void {
  const { maxDepth } = limits;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string', bodyLimit: limits.bodyLimit }, (_request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    let value: unknown;
    try {
      value = parseJson(body as string, maxDepth, 'the body');
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    done(null, value);
  });
}

/**
 * Parses JSON from a stranger: refuses `__proto__` and `constructor.prototype` keys (they pollute
 * prototypes once merged into an object), and nesting deeper than `maxDepth`. Throws a
 * JunctionError that says what was wrong: PARSE_ERROR naming the position, or INVALID_REQUEST.
 *
 * @example parseJson('{"minuend": 42}', 64, 'body') // { minuend: 42 }
 */
export function parseJson(text: string, maxDepth: number, what: string): unknown {
  let value: unknown;
  try {
    value = sjson.parse(text, null, SECURE);
  } catch (err) {
    throw refusal(text, err as Error, what);
  }
  // Depth d needs at least d opening and d closing brackets: short texts cannot exceed the limit.
  if (text.length > 2 * maxDepth && typeof value === 'object' && value !== null) {
    const depth = nestingDepth(value);
    if (depth > maxDepth) {
      throw new JunctionError('INVALID_REQUEST', `${what} nests arrays and objects ${depth} levels deep; the limit is ${maxDepth} (gateway.maxDepth)`, {
        depth,
        limit: maxDepth,
      });
    }
  }
  return value;
}

function refusal(text: string, err: Error, what: string): JunctionError {
  if (err.message.startsWith('Object contains forbidden')) {
    const key = /"__proto__"\s*:/.test(text) ? '"__proto__"' : '"constructor" with a "prototype"';
    return new JunctionError('INVALID_REQUEST', `${what} contains the key ${key}, which is refused: it would alter object prototypes`, { refusedKey: key });
  }
  if (text.trim() === '') return new JunctionError('PARSE_ERROR', `${what} is empty; expected JSON`);
  const problem = locateSyntaxError(text);
  if (problem === undefined) return new JunctionError('PARSE_ERROR', `${what} is not valid JSON: ${err.message}`);
  return new JunctionError('PARSE_ERROR', `${what} is not valid JSON: ${describeSyntaxProblem(text, problem)}`, {
    position: problem.position,
    line: problem.line,
    column: problem.column,
  });
}

/**
 * The deepest nesting of arrays and objects (a scalar is 0, `{}` is 1). Walks with an explicit
 * stack: a recursive walk overflows the call stack at depths an attacker sends in a few kilobytes.
 */
export function nestingDepth(root: unknown): number {
  if (typeof root !== 'object' || root === null) return 0;
  const nodes: object[] = [root];
  const depths: number[] = [1];
  let max = 1;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) max = depth;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child: unknown = (node as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return max;
}
