import { PassThrough } from 'node:stream';
import Deserializer from 'xmlrpc/lib/deserializer';
import { service as validator1 } from '@junction/service-validator1';
import { serializeMethodCall } from 'xmlrpc/lib/serializer';
import { type Embedded, startEmbedded } from '../../testing/embedded';

type Answer = { value: unknown } | { fault: { faultCode: number; faultString: string } };

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

const call = (inner: string) => `<?xml version="1.0"?><methodCall><methodName>calc.sum</methodName><params>${inner}</params></methodCall>`;
const nested = (open: string, close: string, levels: number) => call(`<param>${open.repeat(levels)}<value><int>1</int></value>${close.repeat(levels)}</param>`);

const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><methodCall><methodName>calc.sum</methodName><params><param><value>&lol9;</value></param></params></methodCall>`;

/**
 * Bodies meant to hurt the parser, each sent to a gateway with its default limits (1 MiB bodies,
 * nesting 64), each answered by a fault naming what was refused, and each followed by an ordinary
 * call that must still succeed: nothing a hostile body does outlives its own request.
 */
const HOSTILE: [what: string, body: string, faultCode: number, says: string][] = [
  ['billion laughs (nested entity declarations)', LAUGHS, -32600, 'DOCTYPE'],
  ['an external entity (file://)', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${call('<param><value>&xxe;</value></param>').replace('<?xml version="1.0"?>', '')}`, -32600, 'DOCTYPE'],
  ['an external entity (http://)', `<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>${call('<param><value>&xxe;</value></param>').replace('<?xml version="1.0"?>', '')}`, -32600, 'DOCTYPE'],
  ['a parameter entity pulling an external DTD', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]><methodCall><methodName>calc.sum</methodName></methodCall>`, -32600, 'DOCTYPE'],
  ['an undeclared entity, kept as the text it is and never resolved', call('<param><value>&undeclared;</value></param>'), -32602, '/values/0 must be number (got string)'],
  ['20,000 nested arrays', nested('<value><array><data>', '</data></array></value>', 20_000), -32600, 'more than 64 levels deep (gateway.maxDepth)'],
  ['15,000 nested structs', nested('<value><struct><member><name>m</name>', '</member></struct></value>', 15_000), -32600, 'more than 64 levels deep (gateway.maxDepth)'],
  ['a body that only opens arrays, never closing one', call(`<param>${'<value><array><data>'.repeat(50_000)}`), -32600, 'gateway.maxDepth'],
  ['a body over gateway.bodyLimit', serializeMethodCall('calc.sum', ['x'.repeat(1_100_000)]), -32600, '1048576 bytes'],
];

describe('hostile XML-RPC bodies', () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ services: [validator1] });
  });
  afterAll(() => node.close());

  const post = async (body: string) => {
    const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload: body });
    expect(res.statusCode).toBe(200);
    return readResponse(res.body);
  };

  it.each(HOSTILE)('refuses %s with a fault, then answers a normal call', async (_what, body, faultCode, says) => {
    const started = Date.now();
    expect(await post(body)).toMatchObject({ fault: { faultCode, faultString: expect.stringContaining(says) } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await post(serializeMethodCall('calc.subtract', [42, 23]))).toEqual({ value: 19 });
  });

  it('keeps characters whole where the parser is fed the body in chunks', async () => {
    for (const lead of ['', 'x', 'xy', 'xyz']) {
      const text = lead + '😀é日'.repeat(6000);
      expect(await post(serializeMethodCall('validator1.echoStructTest', [{ text }]))).toEqual({ value: { text } });
    }
  });

  it('answers a call nested exactly to the limit', async () => {
    expect(await post(nested('<value><array><data>', '</data></array></value>', 63))).toMatchObject({ fault: { faultCode: -32602 } });
  });
});
