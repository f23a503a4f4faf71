import { Binary, DateTime, defineService, method, ServiceError, Type } from '@junction/core';

/** The struct the validator passes around: three ints named after the Three Stooges. */
const Stooges = Type.Object(
  { moe: Type.Integer(), larry: Type.Integer(), curly: Type.Integer() },
  { description: 'A struct with the int members moe, larry and curly (other members are allowed and ignored).' },
);

const AnyStruct = Type.Record(Type.String(), Type.Unknown(), { description: 'Any struct.' });

/** calendar[year][month][day] -> stooges, e.g. calendar["2000"]["04"]["01"]. */
const Calendar = Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Stooges)), {
  description: 'A struct of years, each a struct of months ("01".."12"), each a struct of days ("01".."31") holding moe, larry and curly.',
});

const exampleStrings = Array.from({ length: 100 }, (_, i) => `item${i}`);
const exampleDate = new Date('1998-07-17T14:08:55Z');
const exampleBytes = new TextEncoder().encode("you can't read this!");

function own<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/**
 * The eight methods of the classic UserLand XML-RPC validator (validator1), as an ordinary
 * service: each takes its arguments by position, as the validator sends them, and answers over
 * every protocol.
 */
export const service = defineService({
  name: 'validator1',
  version: '1.0.0',
  description: 'The classic UserLand XML-RPC validator suite (validator1): eight methods that exercise every XML-RPC type.',
  methods: {
    arrayOfStructsTest: method({
      description: 'Takes an array of structs, each with the int members moe, larry and curly, and returns the sum of all the curly members.',
      idempotent: true,
      safe: true,
      params: { structs: Type.Array(Stooges, { description: 'The structs whose curly members are added.' }) },
      result: Type.Integer(),
      examples: [
        {
          args: { structs: [{ moe: 1, larry: 2, curly: 3 }, { moe: 4, larry: 5, curly: -6 }, { moe: 7, larry: 8, curly: 9 }] },
          result: 6,
        },
      ],
      handler: ({ structs }) => structs.reduce((sum, s) => sum + s.curly, 0),
    }),
    countTheEntities: method({
      description:
        'Takes a string and returns a struct counting its characters that XML escapes: ctLeftAngleBrackets (<), ctRightAngleBrackets (>), ctAmpersands (&), ctApostrophes (\') and ctQuotes (").',
      idempotent: true,
      safe: true,
      params: { text: Type.String({ description: 'The string whose entities are counted.' }) },
      result: Type.Object({
        ctLeftAngleBrackets: Type.Integer(),
        ctRightAngleBrackets: Type.Integer(),
        ctAmpersands: Type.Integer(),
        ctApostrophes: Type.Integer(),
        ctQuotes: Type.Integer(),
      }),
      examples: [
        {
          args: { text: `<a href="x">Tom & Jerry's <b>"show"</b></a>` },
          result: { ctLeftAngleBrackets: 4, ctRightAngleBrackets: 4, ctAmpersands: 1, ctApostrophes: 1, ctQuotes: 4 },
        },
      ],
      handler: ({ text }) => ({
        ctLeftAngleBrackets: count(text, '<'),
        ctRightAngleBrackets: count(text, '>'),
        ctAmpersands: count(text, '&'),
        ctApostrophes: count(text, "'"),
        ctQuotes: count(text, '"'),
      }),
    }),
    easyStructTest: method({
      description: 'Takes a struct with the int members moe, larry and curly and returns their sum.',
      idempotent: true,
      safe: true,
      params: { struct: Stooges },
      result: Type.Integer(),
      examples: [{ args: { struct: { moe: 5, larry: 6, curly: 7 } }, result: 18 }],
      handler: ({ struct }) => struct.moe + struct.larry + struct.curly,
    }),
    echoStructTest: method({
      description: 'Takes a struct and returns it unchanged.',
      idempotent: true,
      safe: true,
      params: { struct: AnyStruct },
      result: AnyStruct,
      examples: [
        {
          args: { struct: { substruct0: { moe: 1, larry: 2, curly: 3 }, substruct1: { moe: 4, larry: 5, curly: 6 } } },
          result: { substruct0: { moe: 1, larry: 2, curly: 3 }, substruct1: { moe: 4, larry: 5, curly: 6 } },
        },
      ],
      handler: ({ struct }) => struct,
    }),
    manyTypesTest: method({
      description:
        'Takes six params (an int, a boolean, a string, a double, a dateTime and a base64) and returns them, in order, as an array. The handler gets the dateTime as a Date and the base64 as bytes, and returns them so: XML-RPC carries them as <dateTime.iso8601> and <base64>, JSON as ISO 8601 text (in UTC) and base64 text.',
      idempotent: true,
      safe: true,
      params: {
        number: Type.Integer({ description: 'An int.' }),
        boolean: Type.Boolean(),
        string: Type.String(),
        double: Type.Number({ description: 'A double.' }),
        dateTime: DateTime({ description: 'A dateTime.' }),
        base64: Binary({ description: 'Binary data.' }),
      },
      result: Type.Tuple([Type.Integer(), Type.Boolean(), Type.String(), Type.Number(), DateTime(), Binary()]),
      examples: [
        {
          args: { number: 17, boolean: true, string: 'Hello, <world> & "friends"', double: -12.214, dateTime: exampleDate, base64: exampleBytes },
          result: [17, true, 'Hello, <world> & "friends"', -12.214, exampleDate, exampleBytes],
        },
      ],
      handler: ({ number, boolean, string, double, dateTime, base64 }) => [number, boolean, string, double, dateTime, base64] as [number, boolean, string, number, Date, Uint8Array],
    }),
    moderateSizeArrayCheck: method({
      description: 'Takes an array of 100 to 200 strings and returns the first and the last concatenated.',
      idempotent: true,
      safe: true,
      params: { strings: Type.Array(Type.String(), { minItems: 100, maxItems: 200, description: 'Between 100 and 200 strings.' }) },
      result: Type.String(),
      examples: [{ title: '100 strings item0..item99', args: { strings: exampleStrings }, result: 'item0item99' }],
      handler: ({ strings }) => strings[0] + strings[strings.length - 1],
    }),
    nestedStructTest: method({
      description:
        'Takes a calendar, a struct of years -> months -> days, and returns moe + larry + curly of the day struct of April 1st, 2000 (calendar["2000"]["04"]["01"]); refuses with NOT_FOUND if that day is absent.',
      idempotent: true,
      safe: true,
      params: { calendar: Calendar },
      result: Type.Integer(),
      examples: [
        {
          args: {
            calendar: {
              '1999': { '12': { '31': { moe: 1, larry: 1, curly: 1 } } },
              '2000': {
                '03': { '31': { moe: 2, larry: 2, curly: 2 } },
                '04': { '01': { moe: 12, larry: 23, curly: 34 }, '02': { moe: 3, larry: 3, curly: 3 } },
              },
            },
          },
          result: 69,
        },
      ],
      handler: ({ calendar }) => {
        const months = own(calendar, '2000');
        const days = months === undefined ? undefined : own(months, '04');
        const day = days === undefined ? undefined : own(days, '01');
        if (day === undefined) {
          const missing = months === undefined ? 'year "2000"' : days === undefined ? 'month "04" of 2000' : 'day "01" of April 2000';
          throw new ServiceError('NOT_FOUND', `the calendar has no entry for April 1st, 2000 (calendar["2000"]["04"]["01"]): ${missing} is missing`, {
            path: ['2000', '04', '01'],
          });
        }
        return day.moe + day.larry + day.curly;
      },
    }),
    simpleStructReturnTest: method({
      description: 'Takes a number and returns a struct of it multiplied by 10, 100 and 1000: times10, times100 and times1000.',
      idempotent: true,
      safe: true,
      params: { number: Type.Number() },
      result: Type.Object({ times10: Type.Number(), times100: Type.Number(), times1000: Type.Number() }),
      examples: [{ args: { number: 7 }, result: { times10: 70, times100: 700, times1000: 7000 } }],
      handler: ({ number }) => ({ times10: number * 10, times100: number * 100, times1000: number * 1000 }),
    }),
  },
});
