import { PassThrough } from 'node:stream';
import Deserializer from 'xmlrpc/lib/deserializer';
import { serializeMethodCall } from 'xmlrpc/lib/serializer';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { testServices } from '../../testing/services';

type Answer = { value: unknown } | { fault: { faultCode: number; faultString: string } };

/** Reads a <methodResponse> with the xmlrpc package's own Deserializer, as its client does. */
function readResponse(xml: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = new PassThrough();
    stream.end(xml);
    new Deserializer().deserializeMethodResponse(stream, (err, value) => {
      const f = err as { faultCode?: number; faultString?: string } | null | undefined;
      if (f && f.faultCode !== undefined) resolve({ fault: { faultCode: f.faultCode, faultString: f.faultString ?? '' } });
      else if (err) reject(err);
      else resolve({ value });
    });
  });
}

async function post(node: Embedded, body: string, headers: Record<string, string> = {}) {
  const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml', ...headers }, payload: body });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  return readResponse(res.body);
}

const call = (node: Embedded, method: string, params: unknown[] = [], headers?: Record<string, string>) => post(node, serializeMethodCall(method, params), headers);

const CALL = (inner: string) => `<?xml version="1.0"?><methodCall><methodName>calc.subtract</methodName><params>${inner}</params></methodCall>`;

describe('POST /RPC2', () => {
  let node: Embedded;

  beforeAll(async () => {
    const { vault, echo } = testServices();
    node = await startEmbedded({
      services: [vault, echo],
      gateway: { maxBatch: 4, maxDepth: 5, bodyLimit: 4096, apiKeys: [{ key: 'artist-key-0123', identity: 'alice', roles: ['artist'] }] },
    });
  });
  afterAll(() => node.close());

  describe('calls', () => {
    it('calls calc.subtract by position', async () => {
      expect(await call(node, 'calc.subtract', [42, 23])).toEqual({ value: 19 });
      expect(await call(node, 'calc.subtract', [23, 42])).toEqual({ value: -19 });
    });

    it('calls the variadic calc.sum with any count of params', async () => {
      expect(await call(node, 'calc.sum', [1, 2, 4, 8.5])).toEqual({ value: 15.5 });
      expect(await call(node, 'calc.sum', [])).toEqual({ value: 0 });
    });

    it('passes a single struct by position, not as named args', async () => {
      const answer = await call(node, 'calc.subtract', [{ minuend: 42, subtrahend: 23 }]);
      expect(answer).toMatchObject({ fault: { faultCode: -32602, faultString: expect.stringContaining('/minuend must be number (got object)') } });
    });

    it('accepts application/xml and a charset', async () => {
      expect(await post(node, serializeMethodCall('calc.subtract', [3, 1]), { 'content-type': 'application/xml; charset=utf-8' })).toEqual({ value: 2 });
    });

    it('round-trips every XML-RPC type through echo.typed', async () => {
      const xml = CALL(
        '<param><value><double>1.5</double></value></param>' +
          '<param><value><i4>-7</i4></value></param>' +
          '<param><value><boolean>1</boolean></value></param>' +
          '<param><value>untyped is a string</value></param>' +
          '<param><value><array><data><value><int>1</int></value><value><int>2</int></value></data></array></value></param>' +
          '<param><value><struct><member><name>a</name><value><double>0.25</double></value></member></struct></value></param>' +
          '<param><value><nil/></value></param>',
      ).replace('calc.subtract', 'echo.typed');
      expect(await post(node, xml)).toEqual({ value: { n: 1.5, i: -7, b: true, s: 'untyped is a string', list: [1, 2], obj: { a: 0.25 }, maybe: null } });
    });

    it('passes dateTime.iso8601 as an ISO string and base64 as a base64 string', async () => {
      const date = CALL('<param><value><nil/></value></param><param><value><nil/></value></param><param><value><nil/></value></param><param><value><dateTime.iso8601>20261126T14:08:55Z</dateTime.iso8601></value></param>');
      // <nil/> is null, which an optional param that does not allow null refuses: positions cannot be skipped with nil.
      expect(await post(node, date.replace('calc.subtract', 'echo.typed'))).toMatchObject({ fault: { faultCode: -32602 } });
      const typed = (v: string) => CALL(`<param><value><double>0</double></value></param><param><value><int>0</int></value></param><param><value><boolean>0</boolean></value></param><param><value>${v}</value></param>`).replace('calc.subtract', 'echo.typed');
      expect(await post(node, typed('<dateTime.iso8601>20261126T14:08:55Z</dateTime.iso8601>'))).toEqual({ value: { n: 0, i: 0, b: false, s: '2026-11-26T14:08:55.000Z' } });
      expect(await post(node, typed('<base64>aGVsbG8=</base64>'))).toEqual({ value: { n: 0, i: 0, b: false, s: 'aGVsbG8=' } });
    });

    it('answers null as <nil/> and strings with markup intact', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('echo.store', ['x']) });
      expect(res.body).toContain('<nil/>');
      expect(await call(node, 'echo.typed', [0, 0, false, 'a < b && c ]]> d'])).toEqual({ value: { n: 0, i: 0, b: false, s: 'a < b && c ]]> d' } });
    });

    it('sends integers beyond 32 bits as <double>', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('calc.sum', [2 ** 40, 1]) });
      expect(res.body).toContain('<double>1099511627777</double>');
    });
  });

  describe('faults', () => {
    it('answers an unknown method with -32601', async () => {
      expect(await call(node, 'calc.nope', [])).toEqual({ fault: { faultCode: -32601, faultString: 'service "calc" has no method "nope"' } });
      expect(await call(node, 'nodots', [])).toMatchObject({ fault: { faultCode: -32601, faultString: expect.stringContaining('"service.method"') } });
    });

    it('answers bad params with -32602, naming the param', async () => {
      const answer = await call(node, 'calc.subtract', ['42', 1]);
      expect(answer).toMatchObject({ fault: { faultCode: -32602, faultString: expect.stringContaining('/minuend must be number (got string)') } });
      expect(await call(node, 'calc.subtract', [1, 2, 3])).toMatchObject({ fault: { faultCode: -32602, faultString: expect.stringContaining('takes 2 param(s)') } });
    });

    it("answers a handler's ServiceError with -32000 and its message", async () => {
      expect(await call(node, 'calc.divide', [3, 0])).toEqual({ fault: { faultCode: -32000, faultString: 'cannot divide 3 by zero' } });
    });

    it('answers an unknown API key with -32003 and a method needing a role with -32003 or -32004', async () => {
      expect(await call(node, 'calc.subtract', [2, 1], { 'x-api-key': 'wrong-key' })).toMatchObject({ fault: { faultCode: -32003 } });
      expect(await call(node, 'calc.subtract', [2, 1], { 'x-api-key': 'artist-key-0123' })).toEqual({ value: 1 });
      expect(await call(node, 'vault.open', [])).toMatchObject({ fault: { faultCode: -32003 } });
      expect(await call(node, 'vault.open', [], { authorization: 'Bearer artist-key-0123' })).toMatchObject({ fault: { faultCode: -32004 } });
    });

    it('answers a bad timeout header with -32600', async () => {
      expect(await call(node, 'calc.subtract', [2, 1], { 'x-junction-timeout-ms': 'soon' })).toMatchObject({ fault: { faultCode: -32600 } });
    });

    it('hides an unexpected error behind -32603', async () => {
      expect(await call(node, 'echo.fail', [])).toMatchObject({ fault: { faultCode: -32603, faultString: expect.not.stringContaining('secret') } });
    });

    it('sends the request traceparent back', async () => {
      const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml', traceparent: tp }, payload: serializeMethodCall('calc.sum', [1]) });
      expect(res.headers.traceparent).toBe(tp);
    });
  });

  describe('refused bodies', () => {
    it.each([
      ['not XML', 'hello', -32700, 'not XML'],
      ['an empty body', '', -32700, 'empty'],
      ['truncated XML', '<methodCall><methodName>calc.sum</methodName><params><param><value><int>1', -32700, 'unclosed'],
      ['an unreadable int', CALL('<param><value><int>x</int></value></param>'), -32700, "Expected an integer but got 'x'"],
      ['a methodResponse', '<methodResponse><params/></methodResponse>', -32600, 'not an XML-RPC <methodCall>'],
      ['an unknown element', '<methodCall><methodName>calc.sum</methodName><foo/></methodCall>', -32600, '<foo>'],
    ])('answers %s with a fault that says so', async (_what, body, code, words) => {
      const answer = await post(node, body);
      expect(answer).toMatchObject({ fault: { faultCode: code, faultString: expect.stringContaining(words) } });
    });

    it('refuses a DOCTYPE outright, with entities never expanded, and still answers the next call', async () => {
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><methodCall><methodName>&lol2;</methodName></methodCall>`;
      expect(await post(node, laughs)).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('DOCTYPE') } });
      const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>calc.sum</methodName><params><param><value>&xxe;</value></param></params></methodCall>`;
      expect(await post(node, xxe)).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('DOCTYPE') } });
      expect(await call(node, 'calc.subtract', [2, 1])).toEqual({ value: 1 });
    });

    it('refuses nesting deeper than gateway.maxDepth', async () => {
      const deep = '<value><array><data>'.repeat(6) + '<value><int>1</int></value>' + '</data></array></value>'.repeat(6);
      expect(await post(node, CALL(`<param>${deep}</param>`))).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('(gateway.maxDepth)') } });
    });

    it('refuses a struct member named __proto__', async () => {
      const body = CALL('<param><value><struct><member><name>__proto__</name><value><struct><member><name>x</name><value>1</value></member></struct></value></member></struct></value></param>');
      expect(await post(node, body)).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('__proto__') } });
    });

    it('refuses a body over gateway.bodyLimit with a fault naming the limit', async () => {
      const big = serializeMethodCall('calc.sum', ['x'.repeat(5000)]);
      expect(await post(node, big)).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('4096 bytes') } });
    });

    it('refuses JSON and bodies without a content type with -32600', async () => {
      expect(await post(node, '{"a":1}', { 'content-type': 'application/json' })).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('text/xml') } });
      expect(await post(node, 'x', { 'content-type': 'text/plain' })).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('"text/plain" is not accepted') } });
    });

    it('answers hundreds of mangled bodies with a response or a fault, and never hangs', async () => {
      const valid = serializeMethodCall('echo.typed', [1.5, 2, true, 's', [1, 2], { a: 1 }, null]);
      let seed = 42;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const pieces = ['<', '>', '</', '<value>', '</struct>', '<array><data>', '&', '&amp;', ']]>', '<![CDATA[', '<!DOCTYPE', '"', '\u0000', '<int>', 'x'];
      for (let i = 0; i < 300; i++) {
        let body = valid;
        for (let k = 0; k < 1 + random(4); k++) {
          const at = random(body.length);
          body = random(2) === 0 ? body.slice(0, at) + pieces[random(pieces.length)] + body.slice(at) : body.slice(0, at) + body.slice(at + 1 + random(8));
        }
        const answer = await post(node, body);
        expect('value' in answer || 'fault' in answer).toBe(true);
      }
      expect(await call(node, 'calc.subtract', [2, 1])).toEqual({ value: 1 });
    }, 30_000); // hundreds of requests: on a loaded 2-core CI machine this takes seconds

    it('answers other HTTP methods with 405', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/RPC2' });
      expect(res.statusCode).toBe(405);
      expect(await readResponse(res.body)).toMatchObject({ fault: { faultCode: -32600 } });
    });

    it('leaves POST /rpc refusing XML', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('calc.sum', [1]) });
      expect(res.json()).toMatchObject({ error: { code: -32600 } });
    });
  });

  describe('introspection', () => {
    it('lists every service.method and the introspection methods', async () => {
      const answer = (await call(node, 'system.listMethods')) as { value: string[] };
      expect(answer.value).toEqual(expect.arrayContaining(['calc.subtract', 'calc.sum', 'echo.typed', 'system.describe', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']));
      expect(answer.value).toEqual([...answer.value].sort());
    });

    it("gives a method's description, and -32601 for an unknown one", async () => {
      expect(await call(node, 'system.methodHelp', ['calc.subtract'])).toEqual({ value: 'The minuend less the subtrahend.' });
      expect(await call(node, 'system.methodHelp', ['calc.nope'])).toMatchObject({ fault: { faultCode: -32601 } });
      expect(await call(node, 'system.methodHelp', [])).toMatchObject({ fault: { faultCode: -32602, faultString: expect.stringContaining('one string param') } });
    });

    it('gives signatures in XML-RPC type names, undef where no one type fits', async () => {
      expect(await call(node, 'system.methodSignature', ['calc.subtract'])).toEqual({ value: [['double', 'double', 'double']] });
      expect(await call(node, 'system.methodSignature', ['calc.sum'])).toEqual({ value: [['double', 'double']] });
      expect(await call(node, 'system.methodSignature', ['echo.typed'])).toEqual({ value: [['undef', 'double', 'int', 'boolean', 'string', 'array', 'struct', 'undef']] });
      expect(await call(node, 'system.methodSignature', ['echo.store'])).toEqual({ value: [['nil', 'string']] });
    });

    it('answers system.multicall with each result in its own slot and each fault as a struct', async () => {
      const answer = await call(node, 'system.multicall', [
        [
          { methodName: 'calc.subtract', params: [42, 23] },
          { methodName: 'calc.divide', params: [1, 0] },
          { methodName: 'calc.nope', params: [] },
          { methodName: 'system.multicall', params: [[]] },
        ],
      ]);
      expect(answer).toEqual({
        value: [
          [19],
          { faultCode: -32000, faultString: 'cannot divide 1 by zero' },
          { faultCode: -32601, faultString: 'service "calc" has no method "nope"' },
          { faultCode: -32600, faultString: expect.stringContaining('cannot be called within system.multicall') },
        ],
      });
    });

    it('bounds system.multicall by gateway.maxBatch', async () => {
      const calls = Array.from({ length: 5 }, () => ({ methodName: 'calc.sum', params: [1] }));
      expect(await call(node, 'system.multicall', [calls])).toMatchObject({ fault: { faultCode: -32600, faultString: expect.stringContaining('limit is 4 (gateway.maxBatch)') } });
      expect(await call(node, 'system.multicall', ['x'])).toMatchObject({ fault: { faultCode: -32602 } });
    });
  });
});
