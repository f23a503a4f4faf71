import { PassThrough } from 'node:stream';
import { type ErrorCode, toWireValue } from '@junction/core';
import CustomType from 'xmlrpc/lib/customtype';
import Deserializer from 'xmlrpc/lib/deserializer';
import { serializeMethodCall } from 'xmlrpc/lib/serializer';
import { HTTP_STATUS } from '../protocols/json/errors';
import { JSON_RPC_CODES } from '../protocols/json-rpc/errors';
import { formatDateTime, parseDateTime } from '../protocols/xml-rpc/datetime';
import { XML_RPC_FAULT_CODES } from '../protocols/xml-rpc/errors';
import { type Embedded } from './embedded';

/**
 * One case of the protocol conformance table: the same call and the same expectation for every
 * protocol. Args and results are written as the handler sees them (Date, Uint8Array); each
 * protocol's client sends and reads them in its own way.
 */
export interface ConformanceCase {
  title: string;
  /** `service.method`. */
  method: string;
  /** By name, in the declared param order (XML-RPC sends them by position). */
  args: Record<string, unknown>;
  result?: unknown;
  error?: ErrorCode;
  /** Pieces the XML-RPC response must hold: the XML-RPC types the result was written as. */
  xml?: string[];
}

/** What a protocol's client made of its answer: the result in handler form, or the error's stable code and protocol number. */
export type ConformanceAnswer = { result: unknown } | { error: { code: ErrorCode | string; number: number; message: string } };

export interface ProtocolClient {
  name: string;
  call(node: Embedded, c: ConformanceCase): Promise<ConformanceAnswer>;
  /** The protocol's number for a code: JSON-RPC code, XML-RPC faultCode, HTTP status. */
  number(code: ErrorCode): number;
  /** The case's expected result as this protocol delivers it. */
  expected(result: unknown): unknown;
}

// Whole seconds: XML-RPC's dateTime has no fraction.
const AT = new Date(Date.UTC(1998, 6, 17, 14, 8, 55));
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const MARKUP = 'a < b && c > d; "quoted" \'apostrophe\' ]]> <![CDATA[ x ]]>';

/** The table: every XML-RPC type, both ways, and one error of each kind a handler or a schema raises. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  { title: 'int', method: 'validator1.easyStructTest', args: { struct: { moe: 2147483647, larry: -2147483648, curly: 5 } }, result: 4, xml: ['<int>4</int>'] },
  { title: 'boolean true', method: 'validator1.manyTypesTest', args: many({ boolean: true }), result: manyResult({ boolean: true }), xml: ['<boolean>1</boolean>'] },
  { title: 'boolean false', method: 'validator1.manyTypesTest', args: many({ boolean: false }), result: manyResult({ boolean: false }), xml: ['<boolean>0</boolean>'] },
  { title: 'string with < > &', method: 'validator1.manyTypesTest', args: many({ string: MARKUP }), result: manyResult({ string: MARKUP }), xml: ['<string><![CDATA[a < b && c'] },
  {
    title: 'string with < > & counted by the handler',
    method: 'validator1.countTheEntities',
    args: { text: MARKUP },
    result: { ctLeftAngleBrackets: 2, ctRightAngleBrackets: 3, ctAmpersands: 2, ctApostrophes: 2, ctQuotes: 2 },
  },
  { title: 'double', method: 'calc.subtract', args: { minuend: 0.5, subtrahend: 12.714 }, result: -12.214, xml: ['<double>-12.214</double>'] },
  { title: 'dateTime in params and result', method: 'validator1.manyTypesTest', args: many({}), result: manyResult({}), xml: ['<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>'] },
  { title: 'dateTime the handler adds days to', method: 'wire.later', args: { when: AT, days: 2 }, result: new Date(Date.UTC(1998, 6, 19, 14, 8, 55)), xml: ['<dateTime.iso8601>19980719T14:08:55</dateTime.iso8601>'] },
  {
    title: 'dateTime before 1970',
    method: 'validator1.manyTypesTest',
    args: many({ dateTime: new Date(Date.UTC(1901, 0, 1)) }),
    result: manyResult({ dateTime: new Date(Date.UTC(1901, 0, 1)) }),
    xml: ['<dateTime.iso8601>19010101T00:00:00</dateTime.iso8601>'],
  },
  {
    title: 'dateTime after 2038',
    method: 'validator1.manyTypesTest',
    args: many({ dateTime: new Date(Date.UTC(2100, 11, 31, 23, 59, 59)) }),
    result: manyResult({ dateTime: new Date(Date.UTC(2100, 11, 31, 23, 59, 59)) }),
    xml: ['<dateTime.iso8601>21001231T23:59:59</dateTime.iso8601>'],
  },
  { title: 'base64 of all 256 byte values', method: 'validator1.manyTypesTest', args: many({ base64: ALL_BYTES }), result: manyResult({ base64: ALL_BYTES }), xml: ['<base64>AAECAwQF'] },
  { title: 'base64 the handler reverses, 0x00 and 0xff at the ends', method: 'wire.reversed', args: { bytes: Uint8Array.of(0, 1, 254, 255) }, result: Uint8Array.of(255, 254, 1, 0), xml: ['<base64>//4BAA==</base64>'] },
  { title: 'empty base64', method: 'wire.reversed', args: { bytes: new Uint8Array() }, result: new Uint8Array(), xml: ['<base64/>'] },
  {
    title: 'Date and Uint8Array reach the handler, nested too',
    method: 'wire.kinds',
    args: { when: AT, bytes: Uint8Array.of(0, 255), events: [{ at: new Date(0), tag: Uint8Array.of(7) }, { at: AT }], maybe: AT },
    result: { kinds: ['Date', 'Uint8Array', 'Date', 'Uint8Array', 'Date', 'Date'], epochs: [AT.getTime(), 0, AT.getTime(), AT.getTime()], byteCounts: [2, 1] },
  },
  {
    title: 'struct',
    method: 'validator1.echoStructTest',
    args: { struct: { n: 1, d: 1.5, s: 'x', b: false, list: [1, 'two'], inner: { deeper: { ok: true } } } },
    result: { n: 1, d: 1.5, s: 'x', b: false, list: [1, 'two'], inner: { deeper: { ok: true } } },
    xml: ['<struct>', '<name>deeper</name>'],
  },
  {
    title: 'array',
    method: 'validator1.arrayOfStructsTest',
    args: { structs: [{ moe: 1, larry: 2, curly: 3 }, { moe: 4, larry: 5, curly: -6 }] },
    result: -3,
  },
  { title: 'array of strings', method: 'validator1.moderateSizeArrayCheck', args: { strings: Array.from({ length: 100 }, (_, i) => `s${i}`) }, result: 's0s99' },
  { title: 'nil', method: 'validator1.echoStructTest', args: { struct: { nothing: null } }, result: { nothing: null }, xml: ['<nil/>'] },
  { title: 'INVALID_PARAMS', method: 'calc.subtract', args: { minuend: 'forty-two', subtrahend: 1 }, error: 'INVALID_PARAMS' },
  { title: 'INVALID_PARAMS for a date that is not one', method: 'wire.later', args: { when: 'soon', days: 1 }, error: 'INVALID_PARAMS' },
  { title: 'SERVICE_ERROR', method: 'calc.divide', args: { dividend: 1, divisor: 0 }, error: 'SERVICE_ERROR' },
  { title: 'METHOD_NOT_FOUND', method: 'calc.nope', args: {}, error: 'METHOD_NOT_FOUND' },
];

function many(over: Record<string, unknown>): Record<string, unknown> {
  return { number: 17, boolean: true, string: 'Hello', double: -12.214, dateTime: AT, base64: Uint8Array.of(0, 255), ...over };
}

function manyResult(over: Record<string, unknown>): unknown[] {
  return Object.values(many(over));
}

export const jsonRpcClient: ProtocolClient = {
  name: 'JSON-RPC',
  number: (code) => JSON_RPC_CODES[code],
  expected: toWireValue,
  async call(node, c) {
    const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: c.method, params: toWireValue(c.args) }) });
    const body = res.json<{ result?: unknown; error?: { code: number; message: string; data: { code: string } } }>();
    if (body.error !== undefined) return { error: { code: body.error.data.code, number: body.error.code, message: body.error.message } };
    return { result: body.result };
  },
};

export const jsonClient: ProtocolClient = {
  name: 'plain JSON',
  number: (code) => HTTP_STATUS[code],
  expected: toWireValue,
  async call(node, c) {
    const [service, method] = c.method.split('.');
    const res = await node.app.inject({ method: 'POST', url: `/api/${service}/${method}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(toWireValue(c.args)) });
    const body = res.json<unknown>();
    if (res.statusCode !== 200) {
      const { error } = body as { error: { code: string; message: string } };
      return { error: { code: error.code, number: res.statusCode, message: error.message } };
    }
    return { result: body };
  },
};

export const xmlRpcClient: ProtocolClient = {
  name: 'XML-RPC',
  number: (code) => XML_RPC_FAULT_CODES[code],
  expected: (result) => result,
  async call(node, c) {
    const payload = serializeMethodCall(c.method, Object.values(c.args).map(forXml));
    const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload });
    for (const piece of c.xml ?? []) {
      if (!res.body.includes(piece)) throw new Error(`${c.title}: the XML-RPC response does not hold ${piece}:\n${res.body}`);
    }
    return readXmlResponse(res.body);
  },
};

export const PROTOCOL_CLIENTS: readonly ProtocolClient[] = [jsonRpcClient, xmlRpcClient, jsonClient];

/** The xmlrpc package's serializer writes a Date in local time: this writes UTC, as the gateway reads it. */
class UtcDateTime extends CustomType {
  override tagName = 'dateTime.iso8601';
  constructor(date: Date) {
    super(formatDateTime(date));
  }
}

function forXml(value: unknown): unknown {
  if (value instanceof Date) return new UtcDateTime(value);
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(forXml);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forXml(v)]));
  return value;
}

/** Read back into handler form: Buffers become plain Uint8Arrays, dateTimes are read as UTC. */
function fromXml(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(fromXml);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromXml(v)]));
}

function readXmlResponse(xml: string): Promise<ConformanceAnswer> {
  return new Promise((resolve, reject) => {
    const stream = new PassThrough();
    stream.end(xml);
    const d = new Deserializer();
    const hooks = d as unknown as { endDateTime(data: string): void; push(v: unknown): void; value: boolean };
    hooks.endDateTime = (data) => {
      hooks.push(parseDateTime(data));
      hooks.value = false;
    };
    d.deserializeMethodResponse(stream, (err, value) => {
      const f = err as { faultCode?: number; faultString?: string } | null | undefined;
      const code = Object.entries(XML_RPC_FAULT_CODES).find(([, n]) => n === f?.faultCode)?.[0];
      if (f?.faultCode !== undefined) resolve({ error: { code: code ?? String(f.faultCode), number: f.faultCode, message: f.faultString ?? '' } });
      else if (err) reject(err);
      else resolve({ result: fromXml(value) });
    });
  });
}
