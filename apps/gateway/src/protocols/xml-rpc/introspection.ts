import { JunctionError, type MethodDescription } from '@junction/core';

/** The methods this slice answers itself; every other `system.*` goes to the system service. */
export const INTROSPECTION = ['system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall'] as const;

/** `service.method` split, or METHOD_NOT_FOUND saying how methods are named. */
export function splitName(full: string): [service: string, method: string] {
  const dot = full.indexOf('.');
  if (dot <= 0) throw new JunctionError('METHOD_NOT_FOUND', `no method "${full}": methods are named "service.method", e.g. "calc.subtract"`, { method: full });
  return [full.slice(0, dot), full.slice(dot + 1)];
}

interface Schema {
  type?: unknown;
  format?: unknown;
  contentEncoding?: unknown;
  items?: unknown;
}

/**
 * A JSON schema's XML-RPC type name; 'undef' where no one type fits (unions, unknown), as the
 * introspection convention says.
 */
export function xmlRpcType(schema: unknown): string {
  const s = (schema ?? {}) as Schema;
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'string':
      if (s.format === 'date-time') return 'dateTime.iso8601';
      if (s.contentEncoding === 'base64') return 'base64';
      return 'string';
    case 'array':
      return 'array';
    case 'object':
      return 'struct';
    case 'null':
      return 'nil';
    default:
      return 'undef';
  }
}

/**
 * `system.methodSignature`'s answer: one signature, `[result, ...params]` in declared order. A
 * variadic method's last param (the rest) is shown as the type of its items, as it is sent by
 * position (`calc.sum(1, 2, 4)`).
 */
export function signatureOf(m: MethodDescription): string[][] {
  const params = m.params.map((p, i) => {
    const rest = m.variadic && i === m.params.length - 1;
    return xmlRpcType(rest ? (p.schema as Schema).items : p.schema);
  });
  return [[xmlRpcType(m.result), ...params]];
}
