/// <reference path="./xmlrpc-lib.d.ts" />
// The reference carries these typings into every program that compiles this file from source
// (other packages typecheck the gateway through its `@junction/source` export condition).
import { Readable } from 'node:stream';
import { JunctionError } from '@junction/core';
import CustomType from 'xmlrpc/lib/customtype';
import Deserializer from 'xmlrpc/lib/deserializer';
import * as serializer from 'xmlrpc/lib/serializer';
import { formatDateTime, parseDateTime } from './datetime';
import { type Fault } from './errors';

export interface MethodCall {
  method: string;
  params: unknown[];
}

/** The sax stream the xmlrpc Deserializer reads through (not in @types/xmlrpc). */
interface SaxStream {
  on(event: string, listener: (...args: never[]) => void): unknown;
  prependListener(event: string, listener: (...args: never[]) => void): unknown;
}

const refused = (message: string, data?: unknown) => new JunctionError('INVALID_REQUEST', message, data);
const unreadable = (message: string, data?: unknown) => new JunctionError('PARSE_ERROR', message, data);

/**
 * Reads a `<methodCall>` with the xmlrpc package's Deserializer (sax, non-strict), watching the
 * same sax stream for what it lets through: a DOCTYPE (sax neither expands entities nor fetches
 * external ones, but a DTD has no business in XML-RPC, so it is refused outright), arrays and
 * structs nested deeper than `maxDepth`, a `__proto__` member name, and a body that ends inside an
 * element. Values come out as JSON: dateTime.iso8601 as an ISO string (read as UTC when it has no
 * zone, see parseDateTime), base64 as a base64 string.
 *
 * PARSE_ERROR: not XML, truncated, or a value that cannot be read (`<int>x</int>`).
 * INVALID_REQUEST: XML but not an XML-RPC method call, or refused (DOCTYPE, depth, `__proto__`).
 */
export function readMethodCall(text: string, maxDepth: number): Promise<MethodCall> {
  return new Promise((resolve, reject) => {
    const d = new Deserializer('utf8');
    const sax = (d as unknown as { parser: SaxStream }).parser;
    readDatesAsUtc(d);
    let settled = false;
    let problem: JunctionError | undefined;
    let open = 0;
    let depth = 0;
    let tags = 0;
    let name = '';
    let inName = false;
    const fail = (err: JunctionError) => {
      if (problem === undefined) problem = err;
      // Stops the Deserializer from building anything more: its callback is called once, with this.
      (d as unknown as { onError(e: Error): void }).onError(err);
    };
    // `on`, not `prependListener`: sax's stream installs its parser's hook for an event in `on` only.
    sax.on('doctype', () => fail(refused('the body has a DOCTYPE; XML-RPC needs none and DTDs and entity declarations are refused')));
    sax.prependListener('error', (err: Error) => {
      if (problem === undefined) problem = unreadable(`the body is not well-formed XML: ${err.message.split('\n').join(' ')}`);
    });
    sax.prependListener('opentag', (node: { name: string }) => {
      open++;
      tags++;
      if (node.name === 'NAME') {
        inName = true;
        name = '';
      }
      if ((node.name === 'ARRAY' || node.name === 'STRUCT') && ++depth > maxDepth) {
        fail(refused(`the body nests arrays and structs more than ${maxDepth} levels deep (gateway.maxDepth)`, { limit: maxDepth }));
      }
    });
    sax.prependListener('text', (t: string) => {
      if (inName) name += t;
    });
    sax.prependListener('closetag', (tag: string) => {
      open--;
      if (tag === 'ARRAY' || tag === 'STRUCT') depth--;
      if (tag === 'NAME') {
        inName = false;
        if (name === '__proto__') fail(refused('a struct has the member name "__proto__", which is refused: it would alter object prototypes'));
      }
    });

    const stream = chunked(text, () => problem !== undefined);
    d.deserializeMethodCall(stream, (err, method, params) => {
      if (settled) return;
      settled = true;
      if (problem !== undefined) return reject(problem);
      if (err) return reject(explain(err, tags, open));
      try {
        resolve({ method, params: (params as unknown[]).map(toJson) });
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The Deserializer's own hooks that this slice replaces on one instance (not in the typings). */
interface DeserializerState {
  endDateTime(data: string): void;
  push(value: unknown): void;
  value: boolean;
}

/**
 * The package's endDateTime reads a dateTime without a zone in the process's local zone, through
 * a date formatter shared by the whole process; this instance reads it as UTC instead. A throw
 * here reaches the Deserializer's onError, like its own "Expected an integer" does.
 */
function readDatesAsUtc(d: Deserializer): void {
  const state = d as unknown as DeserializerState;
  state.endDateTime = (data: string) => {
    state.push(parseDateTime(data));
    state.value = false;
  };
}

// Small: deeply nested tags cost sax more the deeper they go, and a refused body is parsed to the end of its chunk.
const CHUNK = 8 * 1024;

/**
 * The body fed to the parser in chunks, so a refused body (too deep, a DOCTYPE) stops being parsed
 * at the next chunk instead of costing a parse of all of it.
 */
function chunked(text: string, stopped: () => boolean): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (stopped() || at >= text.length) {
        this.push(null);
        return;
      }
      let end = Math.min(at + CHUNK, text.length);
      // Never between the halves of a surrogate pair: the Deserializer's setEncoding keeps chunks as
      // strings today, but a chunk encoded to bytes would turn each lone half into U+FFFD.
      const last = text.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff && end < text.length) end++;
      this.push(text.slice(at, end));
      at = end;
    },
  });
}

function explain(err: Error, tags: number, open: number): JunctionError {
  const message = err.message;
  if (tags === 0) return unreadable('the body is not XML: it has no elements; send an XML-RPC <methodCall>');
  // Reported at the end of the body: an element still open there means the XML was cut short.
  if (message === 'Invalid XML-RPC message' && open > 0) {
    return unreadable(`the body ends inside ${open} unclosed element(s): the XML is truncated or a tag is not closed`);
  }
  if (message === 'Not a method call' || message === 'Invalid XML-RPC message') {
    return refused('the body is not an XML-RPC <methodCall> with a <methodName> and <params>');
  }
  if (message === 'Method call did not contain a method name') return refused('the <methodCall> has no <methodName>');
  if (message.startsWith('Unknown XML-RPC tag')) return refused(`${message.replace(/'([A-Z0-9.]+)'/, (_m, t: string) => `<${t.toLowerCase()}>`)}: not an element of XML-RPC`);
  return unreadable(`a value cannot be read: ${message}`);
}

/** dateTime.iso8601 (a Date) to an ISO string and base64 (a Buffer) to a base64 string; the rest is JSON already. */
function toJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw unreadable('a dateTime.iso8601 value is not a valid date');
    return value.toISOString();
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A `<methodResponse>` with one value. null is `<nil/>` (the serializer writes the nil extension,
 * which Python's, Java's and the xmlrpc package's clients read). Integers outside `<int>`'s 32 bits
 * go out as `<double>`, exact up to 2^53, rather than as an `<int>` strict clients refuse. A Date is
 * `<dateTime.iso8601>` in UTC without a zone (formatDateTime), a Uint8Array or Buffer `<base64>`.
 * Throws (xmlbuilder) on a string with characters XML cannot carry, and on a Date out of range.
 */
export function methodResponse(value: unknown): string {
  return serializer.serializeMethodResponse(forXml(value));
}

export function faultResponse(fault: Fault): string {
  return serializer.serializeFault(fault);
}

function forXml(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (value < INT32_MIN || value > INT32_MAX)) return new DoubleValue(value);
    return value;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (value instanceof Date) return new DateTimeValue(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(forXml);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = forXml(v);
  return out;
}

/** The xmlrpc package's hook for a value it would type otherwise. */
class DoubleValue extends CustomType {
  override tagName = 'double';
  constructor(n: number) {
    super(String(n));
  }
}

/** Its serializer would write a Date in the process's local zone (its shared formatter's default). */
class DateTimeValue extends CustomType {
  override tagName = 'dateTime.iso8601';
  constructor(date: Date) {
    super(formatDateTime(date));
  }
}
