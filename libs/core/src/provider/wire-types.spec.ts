import { Type } from '@sinclair/typebox';
import { type CallRequest } from '../envelope';
import { Binary, DateTime, defineService, method } from '../service';
import { Provider } from './provider';

const kind = (v: unknown) => (v instanceof Date ? 'Date' : v instanceof Uint8Array ? 'Uint8Array' : typeof v);

const seen: unknown[] = [];
const times = defineService({
  name: 'times',
  version: '1.0.0',
  description: 'Dates and bytes in and out.',
  methods: {
    later: method({
      description: 'A day after.',
      params: { when: DateTime(), bytes: Type.Optional(Binary()), events: Type.Optional(Type.Array(Type.Object({ at: DateTime() }))) },
      result: DateTime(),
      handler: ({ when, bytes, events }) => {
        seen.push(kind(when), kind(bytes), ...(events ?? []).map((e) => kind(e.at)));
        return new Date(when.getTime() + 86_400_000);
      },
    }),
    reversed: method({ description: 'The bytes backwards.', params: { bytes: Binary() }, result: Binary(), handler: ({ bytes }) => Uint8Array.from(bytes).reverse() }),
    untyped: method({ description: 'A Date where the schema says nothing.', params: {}, result: Type.Unknown(), handler: () => ({ at: new Date(0), bytes: Buffer.from('hi') }) }),
    lying: method({ description: 'An invalid Date.', params: {}, result: DateTime(), handler: () => new Date('nonsense') }),
    relay: method({
      description: 'Calls times.later through ctx.call with a Date.',
      params: { when: DateTime() },
      result: Type.Unknown(),
      handler: async ({ when }, ctx) => ({ result: await ctx.call('times.later', { when, bytes: new Uint8Array([1, 2]) }) }),
    }),
  },
});

let seq = 0;
const req = (method: string, args: CallRequest['args']): CallRequest => ({ id: `w${++seq}`, service: 'times', method, args, meta: {} });

describe('the provider with DateTime() and Binary()', () => {
  const provider = new Provider();
  provider.register(times);
  provider.connect((r) => provider.handle(r));
  afterAll(() => provider.close());
  beforeEach(() => (seen.length = 0));

  it('hands the handler Dates and Uint8Arrays, and sends its Date back as an ISO string', async () => {
    const reply = await provider.handle(req('later', { when: '2026-11-26T14:08:55Z', bytes: 'AQ==', events: [{ at: '2000-01-01T00:00:00+01:00' }] }));
    expect(reply).toEqual({ id: expect.any(String), result: '2026-11-27T14:08:55.000Z' });
    expect(seen).toEqual(['Date', 'Uint8Array', 'Date']);
  });

  it('revives args given by position too', async () => {
    await expect(provider.handle(req('reversed', ['AAEC/w==']))).resolves.toMatchObject({ result: Buffer.from([255, 2, 1, 0]).toString('base64') });
  });

  it('refuses a date that is not ISO 8601 and bytes that are not base64, before the handler runs', async () => {
    const reply = await provider.handle(req('later', { when: '26/11/2026', bytes: 'not base64!' }));
    expect(reply.error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/\/when must match format "date-time".*\/bytes must match format "byte"/) });
    expect(seen).toEqual([]);
  });

  it('converts Dates and bytes in a result whatever its schema', async () => {
    await expect(provider.handle(req('untyped', {}))).resolves.toMatchObject({ result: { at: '1970-01-01T00:00:00.000Z', bytes: 'aGk=' } });
  });

  it('answers INTERNAL for an invalid Date in a result, naming the schema problem', async () => {
    await expect(provider.handle(req('lying', {}))).resolves.toMatchObject({ error: { code: 'INTERNAL', message: expect.stringContaining('must match format "date-time"') } });
  });

  it('sends ctx.call args in wire form, and gets the result in wire form', async () => {
    await expect(provider.handle(req('relay', { when: '2026-11-26T00:00:00Z' }))).resolves.toMatchObject({ result: { result: '2026-11-27T00:00:00.000Z' } });
    expect(seen).toEqual(['Date', 'Uint8Array']);
  });
});
