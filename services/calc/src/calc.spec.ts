import { isJunctionError } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { fake, service } from './index';

describe('calc', () => {
  let host: TestHost;
  beforeAll(() => {
    host = hostServices(service);
  });
  afterAll(() => host.close());

  it('subtracts by name and by position', async () => {
    await expect(host.call('calc.subtract', { minuend: 42, subtrahend: 23 })).resolves.toBe(19);
    await expect(host.call('calc.subtract', [23, 42])).resolves.toBe(-19);
  });

  it('sums any count of positional numbers, or a list by name', async () => {
    await expect(host.call('calc.sum', [1, 2, 4])).resolves.toBe(7);
    await expect(host.call('calc.sum', { values: [] })).resolves.toBe(0);
  });

  it('refuses division by zero with a ServiceError whose reason clients can branch on', async () => {
    const err = await host.call('calc.divide', { dividend: 3, divisor: 0 }).catch((e: unknown) => e);
    expect(isJunctionError(err) && err.code).toBe('SERVICE_ERROR');
    expect((err as { data: unknown }).data).toEqual({ reason: 'DIVISION_BY_ZERO', dividend: 3 });
    expect((err as Error).message).toBe('cannot divide 3 by zero');
  });

  it('rejects a string where a number is expected, naming the param and the type', async () => {
    const err = await host.call('calc.subtract', { minuend: '42', subtrahend: 1 }).catch((e: unknown) => e);
    expect(isJunctionError(err) && err.code).toBe('INVALID_PARAMS');
    expect((err as Error).message).toContain('/minuend must be number (got string)');
  });

  it('answers every documented example with its documented result', async () => {
    for (const [name, m] of Object.entries(service.methods)) {
      for (const ex of m.examples) {
        if ('result' in ex) await expect(host.call(`calc.${name}`, ex.args)).resolves.toEqual(ex.result);
      }
    }
  });

  it('has a fake with the same methods and schemas', async () => {
    expect(Object.keys(fake.methods)).toEqual(Object.keys(service.methods));
    const fakeHost = hostServices(fake);
    await expect(fakeHost.call('calc.divide', { dividend: 8, divisor: 2 })).resolves.toBe(1);
    await expect(fakeHost.call('calc.subtract', { minuend: 'x', subtrahend: 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await fakeHost.close();
  });
});
