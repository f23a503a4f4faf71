import { parseConfig, silentLogger } from '@junction/core';
import { amqpBusOptions } from './amqp-bus';

const log = silentLogger();
const load = (bus: string) => {
  const config = parseConfig(`transports:\n  rabbit: { type: amqp, url: "amqp://h:5672", queuePrefix: "c1.svc." }\n  mem: { type: memory }\nbus: ${bus}\n`, 'c.yaml', {});
  if (config.bus?.type !== 'amqp') throw new Error('expected an amqp bus');
  return { bus: config.bus, config };
};

describe('amqp bus options', () => {
  it("shares a transport's broker and queue prefix", () => {
    const { bus, config } = load('{ type: amqp, transport: rabbit }');
    expect(amqpBusOptions(bus, config, 'c.yaml', log)).toMatchObject({ url: 'amqp://h:5672', exchange: 'c1.svc.bus', reconnectInitialMs: 100 });
  });

  it('takes a url and an exchange of its own', () => {
    const { bus, config } = load('{ type: amqp, url: "amqp://other:5672", exchange: ops.bus }');
    expect(amqpBusOptions(bus, config, 'c.yaml', log)).toMatchObject({ url: 'amqp://other:5672', exchange: 'ops.bus' });
  });

  it('refuses neither or both of url and transport, and a transport that is not amqp, naming the fix', () => {
    const neither = load('{ type: amqp }');
    expect(() => amqpBusOptions(neither.bus, neither.config, 'c.yaml', log)).toThrow('c.yaml: bus: an amqp bus needs exactly one of url (e.g. amqp://guest:guest@127.0.0.1:5672) or transport (the name of an amqp transport), got neither');
    const both = load('{ type: amqp, transport: rabbit, url: "amqp://h" }');
    expect(() => amqpBusOptions(both.bus, both.config, 'c.yaml', log)).toThrow('got both');
    const mem = load('{ type: amqp, transport: mem }');
    expect(() => amqpBusOptions(mem.bus, mem.config, 'c.yaml', log)).toThrow('c.yaml: bus.transport: "mem" is not an amqp transport under transports (amqp transports: rabbit)');
  });

  it('refuses an unknown bus type at load, naming the known ones', () => {
    expect(() => load('{ type: kafka }')).toThrow(/bus/);
  });
});
