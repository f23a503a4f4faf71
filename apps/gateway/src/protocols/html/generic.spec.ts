import { genericView } from './generic';

describe('genericView', () => {
  it('makes a table of a list of records: the union of keys in the order first seen, nested values as compact JSON', () => {
    expect(genericView([{ a: 1, b: 'x' }, { c: { d: [1, 2] }, a: null }, { b: true }])).toEqual({
      kind: 'table',
      columns: ['a', 'b', 'c'],
      rows: [
        ['1', 'x', ''],
        ['null', '', '{"d":[1,2]}'],
        ['', 'true', ''],
      ],
    });
  });

  it('makes an empty table of an empty list when the result schema names the columns, else JSON', () => {
    const schema = { type: 'array', items: { type: 'object', properties: { code: {}, status: {} } } };
    expect(genericView([], schema)).toEqual({ kind: 'table', columns: ['code', 'status'], rows: [] });
    expect(genericView([])).toEqual({ kind: 'json', text: '[]' });
  });

  it('makes a definition list of a record', () => {
    expect(genericView({ name: '<b>x</b>', tags: ['a'], n: 2 })).toEqual({
      kind: 'record',
      entries: [
        { key: 'name', value: '<b>x</b>' },
        { key: 'tags', value: '["a"]' },
        { key: 'n', value: '2' },
      ],
    });
  });

  it('shows anything else as indented JSON: numbers, strings, null, mixed lists', () => {
    expect(genericView(19)).toEqual({ kind: 'json', text: '19' });
    expect(genericView('hi')).toEqual({ kind: 'json', text: '"hi"' });
    expect(genericView(null)).toEqual({ kind: 'json', text: 'null' });
    expect(genericView(['hello', 5])).toEqual({ kind: 'json', text: '[\n  "hello",\n  5\n]' });
    expect(genericView([{ a: 1 }, 2])).toEqual({ kind: 'json', text: '[\n  {\n    "a": 1\n  },\n  2\n]' });
  });
});
