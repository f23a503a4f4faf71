import { defineFake, ServiceError } from '@junction/core';
import { service } from './calc';

/**
 * A fake calc for clients' tests: the same schemas, canned answers. `divide` answers 1 for any
 * non-zero divisor and refuses zero, so a client's handling of DIVISION_BY_ZERO can be tested too.
 */
export const fake = defineFake(service, {
  subtract: ({ minuend, subtrahend }) => Number(minuend) - Number(subtrahend),
  sum: ({ values }) => (values as number[]).reduce((a, b) => a + b, 0),
  divide: ({ divisor }) => {
    if (divisor === 0) throw new ServiceError('DIVISION_BY_ZERO', 'cannot divide by zero (fake)');
    return 1;
  },
  getData: () => ['hello', 5],
});
