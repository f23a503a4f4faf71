import { Registry } from './registry';

describe('Registry', () => {
  it('returns the factory registered under a name', () => {
    const r = new Registry<() => number>('widget', { one: () => 1 });
    expect(r.get('one')()).toBe(1);
    expect(r.names()).toEqual(['one']);
  });

  it('names the family and the known entries when a name is unknown', () => {
    const r = new Registry<number>('transport', { memory: 1, amqp: 2 });
    expect(() => r.get('nats')).toThrow('unknown transport "nats"; known: memory, amqp');
  });

  it('refuses to register a name twice', () => {
    const r = new Registry<number>('proxy', { local: 1 });
    expect(() => r.add('local', 2)).toThrow('proxy "local" is already registered');
  });
});
