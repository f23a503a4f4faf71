import { pythonLiteral, sampleArgs, shellQuote, snippets, tsLiteral } from './snippets';

const subtract = {
  url: 'http://127.0.0.1:8080',
  service: 'calc',
  method: 'subtract',
  params: [
    { name: 'minuend', schema: { type: 'number' } },
    { name: 'subtrahend', schema: { type: 'number' } },
  ],
  variadic: false,
  args: { minuend: 42, subtrahend: 23 },
  withKey: false,
};

const byId = (list: ReturnType<typeof snippets>) => Object.fromEntries(list.map((s) => [s.id, s.code]));

describe('snippets', () => {
  it('writes curl for JSON-RPC and plain JSON', () => {
    const s = byId(snippets(subtract));
    expect(s['curl-rpc']).toBe(`curl -sS http://127.0.0.1:8080/rpc \\\n  -H 'content-type: application/json' \\\n  -d '{"jsonrpc":"2.0","method":"calc.subtract","params":{"minuend":42,"subtrahend":23},"id":1}'`);
    expect(s['curl-json']).toBe(`curl -sS http://127.0.0.1:8080/api/calc/subtract \\\n  -H 'content-type: application/json' \\\n  -d '{"minuend":42,"subtrahend":23}'`);
  });

  it('quotes single quotes for the shell', () => {
    const s = byId(snippets({ ...subtract, args: { note: "it's \"done\"; rm -rf $HOME `x`" } }));
    expect(s['curl-json']).toContain(`-d '{"note":"it'\\''s \\"done\\"; rm -rf $HOME \`x\`"}'`);
  });

  it('sends the key from the environment when keys are needed', () => {
    const s = byId(snippets({ ...subtract, withKey: true }));
    expect(s['curl-rpc']).toContain(`-H "Authorization: Bearer $JUNCTION_API_KEY"`);
    expect(s['python-requests']).toContain('headers={"Authorization": "Bearer " + os.environ["JUNCTION_API_KEY"]},');
    expect(s['python-xmlrpc']).toContain('headers=[("Authorization", "Bearer " + os.environ["JUNCTION_API_KEY"])]');
    expect(s.typescript).toContain('key: process.env.JUNCTION_API_KEY');
  });

  it('passes XML-RPC params by position, spreading a variadic one', () => {
    expect(byId(snippets(subtract))['python-xmlrpc']).toContain('result = gateway.calc.subtract(42, 23)');
    const sum = byId(snippets({ ...subtract, method: 'sum', params: [{ name: 'values', schema: { type: 'array', items: { type: 'number' } } }], variadic: true, args: { values: [1, 2, 4] } }));
    expect(sum['python-xmlrpc']).toContain('result = gateway.calc.sum(1, 2, 4)');
  });

  it('says when XML-RPC cannot send a param because one before it is left out', () => {
    const s = byId(snippets({ ...subtract, method: 'list', params: [{ name: 'project', schema: { type: 'string' } }, { name: 'sequence', schema: { type: 'string' } }, { name: 'status', schema: { type: 'string' } }], args: { project: 'dune', status: 'wip' } }));
    expect(s['python-xmlrpc']).toContain('# XML-RPC passes params by position: status cannot be sent without the params before it.');
    expect(s['python-xmlrpc']).toContain('gateway.calc.list("dune")');
  });

  it('sends DateTime and Binary as their XML-RPC types', () => {
    const s = byId(snippets({ ...subtract, params: [{ name: 'at', schema: { type: 'string', format: 'date-time' } }, { name: 'data', schema: { type: 'string', contentEncoding: 'base64' } }], args: { at: '2025-01-31T12:00:00Z', data: 'aGk=' } }));
    expect(s['python-xmlrpc']).toContain('import base64\nimport datetime\nimport xmlrpc.client');
    expect(s['python-xmlrpc']).toContain('datetime.datetime.fromisoformat("2025-01-31T12:00:00+00:00"), xmlrpc.client.Binary(base64.b64decode("aGk="))');
  });
});

describe('literals', () => {
  it('writes Python', () => {
    expect(pythonLiteral({ a: true, b: null, c: [1, 'x"y'], d: false })).toBe('{"a": True, "b": None, "c": [1, "x\\"y"], "d": False}');
  });
  it('writes TypeScript with unquoted identifier keys', () => {
    expect(tsLiteral({ minuend: 42, 'not-an-id': 'a' })).toBe('{ minuend: 42, "not-an-id": "a" }');
  });
  it('quotes shell words only when needed', () => {
    expect(shellQuote('http://h:1/rpc')).toBe('http://h:1/rpc');
    expect(shellQuote('a b')).toBe("'a b'");
  });
});

describe('sampleArgs', () => {
  it("takes the first example's args, or defaults and placeholders", () => {
    expect(sampleArgs({ params: [], examples: [{ args: { a: 1 } }, { args: { a: 2 } }] })).toEqual({ a: 1 });
    expect(
      sampleArgs({
        params: [
          { name: 'n', schema: { type: 'integer', minimum: 1 }, required: true },
          { name: 'limit', schema: { type: 'integer', default: 20 }, required: false },
          { name: 'skip', schema: { type: 'string' }, required: false },
          { name: 'status', schema: { anyOf: [{ const: 'wip' }, { const: 'final' }] }, required: true },
        ],
        examples: [],
      }),
    ).toEqual({ n: 1, limit: 20, status: 'wip' });
  });
});
