import { ERROR_CODES } from '@junction/core';
import { HTTP_STATUS } from './json/errors';
import { JSON_RPC_CODES } from './json-rpc/errors';
import { XML_RPC_FAULT_CODES } from './xml-rpc/errors';

describe('the error tables of the protocols', () => {
  it.each(ERROR_CODES)('map %s in JSON-RPC, XML-RPC and plain JSON', (code) => {
    expect(Number.isInteger(JSON_RPC_CODES[code])).toBe(true);
    expect(Number.isInteger(XML_RPC_FAULT_CODES[code])).toBe(true);
    expect(Number.isInteger(HTTP_STATUS[code])).toBe(true);
  });

  it('map nothing that is not a core error code', () => {
    expect(Object.keys(JSON_RPC_CODES).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(XML_RPC_FAULT_CODES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('give every code its own XML-RPC faultCode, the same number as in JSON-RPC (DESIGN.md)', () => {
    const numbers = Object.values(XML_RPC_FAULT_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(XML_RPC_FAULT_CODES).toEqual(JSON_RPC_CODES);
  });

  it('give every code its own JSON-RPC number, in the ranges the specification reserves', () => {
    const numbers = Object.values(JSON_RPC_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect((n >= -32768 && n <= -32600) || n === -32700 || (n >= -32099 && n <= -32000)).toBe(true);
  });

  it('use the numbers and statuses of DESIGN.md', () => {
    expect(JSON_RPC_CODES).toEqual({
      PARSE_ERROR: -32700,
      INVALID_REQUEST: -32600,
      METHOD_NOT_FOUND: -32601,
      INVALID_PARAMS: -32602,
      INTERNAL: -32603,
      SERVICE_ERROR: -32000,
      TIMEOUT: -32001,
      OVERLOADED: -32002,
      UNAUTHENTICATED: -32003,
      FORBIDDEN: -32004,
      UNAVAILABLE: -32005,
    });
    expect(HTTP_STATUS).toEqual({
      PARSE_ERROR: 400,
      INVALID_REQUEST: 400,
      METHOD_NOT_FOUND: 404,
      INVALID_PARAMS: 400,
      INTERNAL: 500,
      SERVICE_ERROR: 422,
      TIMEOUT: 504,
      OVERLOADED: 503,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      UNAVAILABLE: 503,
    });
  });
});
