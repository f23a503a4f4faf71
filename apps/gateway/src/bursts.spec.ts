import Fastify from 'fastify';
import { request } from 'node:http';
import { type AddressInfo } from 'node:net';
import { writeInBursts } from './bursts';

describe('writeInBursts', () => {
  it('holds a reply until the check phase of the turn, then writes it', async () => {
    const app = Fastify();
    writeInBursts(app);
    const seen: string[] = [];
    app.get('/', (_request, reply) => {
      void reply.send('hello');
      // The send went through the hook: nothing written yet, in this phase or its microtasks.
      queueMicrotask(() => seen.push(`microtask: sent=${reply.raw.headersSent}`));
      setImmediate(() => seen.push(`immediate: sent=${reply.raw.headersSent}`));
      return reply;
    });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.body).toBe('hello');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['microtask: sent=false', 'immediate: sent=true']);
    await app.close();
  });

  it('answers every one of many concurrent requests over real sockets, each with its own body', async () => {
    const app = Fastify();
    writeInBursts(app);
    app.get('/echo/:n', async (req) => ({ n: Number((req.params as { n: string }).n) }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const get = (n: number) =>
      new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: `/echo/${n}` }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
    const bodies = await Promise.all(Array.from({ length: 200 }, (_, n) => get(n)));
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, n) => JSON.stringify({ n })));
    await app.close();
  });
});
