import { service as validator1 } from '@junction/service-validator1';
import { type Embedded, startEmbedded } from '../testing/embedded';
import { CONFORMANCE_CASES, PROTOCOL_CLIENTS } from '../testing/protocol-conformance';
import { wireService } from '../testing/wire-service';

/** The same table of calls through JSON-RPC, XML-RPC and plain JSON, against one gateway. */
describe.each(PROTOCOL_CLIENTS)('the protocol conformance table through $name', (client) => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ services: [validator1, wireService] });
  });
  afterAll(() => node.close());

  it.each(CONFORMANCE_CASES)('$title', async (c) => {
    const answer = await client.call(node, c);
    if (c.error === undefined) {
      expect(answer).toEqual({ result: client.expected(c.result) });
    } else {
      expect(answer).toEqual({ error: { code: c.error, number: client.number(c.error), message: expect.any(String) } });
    }
  });
});

describe('GET /api with dates and bytes in the query string', () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ services: [wireService] });
  });
  afterAll(() => node.close());

  const get = (url: string) => node.app.inject({ method: 'GET', url });

  it('hands the handler a Date read from query text', async () => {
    const res = await get('/api/wire/later?when=1998-07-17T14:08:55%2B02:00&days=1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toBe('1998-07-18T12:08:55.000Z');
  });

  it('hands the handler bytes read from base64 query text (+ and / escaped)', async () => {
    const res = await get(`/api/wire/reversed?bytes=${encodeURIComponent(Buffer.from([0xfb, 0xff, 0xbf]).toString('base64'))}`);
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(res.json<string>(), 'base64')).toEqual(Buffer.from([0xbf, 0xff, 0xfb]));
  });

  it('refuses a date that is not ISO 8601 with 400, naming the param', async () => {
    const res = await get('/api/wire/later?when=tomorrow&days=1');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_PARAMS', message: expect.stringContaining('/when must match format "date-time"') } });
  });
});
