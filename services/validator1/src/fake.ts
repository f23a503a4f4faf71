import { defineFake, ServiceError } from '@junction/core';
import { service } from './validator1';

/**
 * A fake validator1 for clients' tests: the same schemas, canned or trivial answers. The sums
 * answer 0, `countTheEntities` counts nothing, the echoes echo, and `nestedStructTest` refuses
 * a calendar without 2000 so a client's handling of NOT_FOUND can be tested too.
 */
export const fake = defineFake(service, {
  arrayOfStructsTest: () => 0,
  countTheEntities: () => ({ ctLeftAngleBrackets: 0, ctRightAngleBrackets: 0, ctAmpersands: 0, ctApostrophes: 0, ctQuotes: 0 }),
  easyStructTest: () => 0,
  echoStructTest: ({ struct }) => struct,
  manyTypesTest: ({ number, boolean, string, double, dateTime, base64 }) => [number, boolean, string, double, dateTime, base64],
  moderateSizeArrayCheck: () => '',
  nestedStructTest: ({ calendar }) => {
    if (!Object.prototype.hasOwnProperty.call(calendar, '2000')) throw new ServiceError('NOT_FOUND', 'the calendar has no year "2000" (fake)');
    return 0;
  },
  simpleStructReturnTest: () => ({ times10: 0, times100: 0, times1000: 0 }),
});
