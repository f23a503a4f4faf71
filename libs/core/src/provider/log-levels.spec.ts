import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { newRequestId } from '../envelope';
import { createLogger } from '../logging';
import { defineService, method } from '../service';
import { Provider } from './provider';

const talker = (name: string) =>
  defineService({
    name,
    version: '1.0.0',
    description: 'Logs one debug line a call.',
    methods: {
      talk: method({
        description: 'Logs at debug.',
        params: {},
        result: Type.Null(),
        handler: (_args, ctx) => {
          ctx.log.debug(`${name} talks`);
          return null;
        },
      }),
    },
  });

function setup() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const provider = new Provider({ log: createLogger({ destination, level: 'info', name: 'n1' }) });
  provider.register(talker('shots')).register(talker('calc'));
  const call = (service: string) => provider.handle({ id: newRequestId(), service, method: 'talk', args: {}, meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
  return { provider, lines, call };
}

describe('provider log levels', () => {
  it("changes a service's level for its next calls, leaving the others at the node's", async () => {
    const { provider, lines, call } = setup();
    await call('shots');
    provider.setLogLevel('shots', 'debug');
    await call('shots');
    await call('calc');
    expect(lines.map((l) => l.msg)).toEqual(['shots talks']);
    expect(lines[0]).toMatchObject({ level: 20, node: 'n1', service: 'shots', method: 'talk', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(provider.logLevels()).toEqual({ shots: 'debug', calc: 'info' });
    provider.setLogLevel('shots', undefined);
    await call('shots');
    expect(lines).toHaveLength(1);
    expect(provider.logLevels().shots).toBe('info');
  });

  it('refuses a service it does not host, naming it', () => {
    const { provider } = setup();
    expect(() => provider.setLogLevel('shot', 'debug')).toThrow(expect.objectContaining({ code: 'METHOD_NOT_FOUND', message: expect.stringContaining('shot') }));
  });
});
