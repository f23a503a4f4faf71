// The JSON-RPC 2.0 specification's section 7 as a table, shared by the gateway's own test (inject()
// and jayson over HTTP, in one process) and the cluster tests (gateway -> RabbitMQ -> worker
// processes, in tools/cli).

export interface SpecExample {
  title: string;
  /** The request's exact text (some are deliberately broken JSON). */
  request: string;
  /** The reply; undefined when nothing is returned (HTTP 204). */
  response?: unknown;
}

/**
 * Every example of section 7 of the JSON-RPC 2.0 specification, verbatim but for the method names,
 * which are mapped onto calc (subtract -> calc.subtract, sum -> calc.sum, update -> calc.update,
 * get_data -> calc.getData, notify_hello -> calc.notifyHello, notify_sum -> calc.notifySum;
 * foobar and foo.get stay unknown). `response` undefined: nothing is returned.
 */
export const EXAMPLES: readonly SpecExample[] = [
  {
    title: 'rpc call with positional parameters (1)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": [42, 23], "id": 1}',
    response: { jsonrpc: '2.0', result: 19, id: 1 },
  },
  {
    title: 'rpc call with positional parameters (2)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": [23, 42], "id": 2}',
    response: { jsonrpc: '2.0', result: -19, id: 2 },
  },
  {
    title: 'rpc call with named parameters (1)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    response: { jsonrpc: '2.0', result: 19, id: 3 },
  },
  {
    title: 'rpc call with named parameters (2)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    response: { jsonrpc: '2.0', result: 19, id: 4 },
  },
  { title: 'a Notification (1)', request: '{"jsonrpc": "2.0", "method": "calc.update", "params": [1,2,3,4,5]}' },
  { title: 'a Notification (2)', request: '{"jsonrpc": "2.0", "method": "foobar"}' },
  {
    title: 'rpc call of non-existent method',
    request: '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    response: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' },
  },
  {
    title: 'rpc call with invalid JSON',
    request: '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    response: { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  },
  {
    title: 'rpc call with invalid Request object',
    request: '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    response: { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  },
  {
    title: 'rpc call Batch, invalid JSON',
    request: `[
  {"jsonrpc": "2.0", "method": "calc.sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`,
    response: { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  },
  {
    title: 'rpc call with an empty Array',
    request: '[]',
    response: { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  },
  {
    title: 'rpc call with an invalid Batch (but not empty)',
    request: '[1]',
    response: [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }],
  },
  {
    title: 'rpc call with invalid Batch',
    request: '[1,2,3]',
    response: [
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    ],
  },
  {
    title: 'rpc call Batch',
    request: `[
        {"jsonrpc": "2.0", "method": "calc.sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "calc.notifyHello", "params": [7]},
        {"jsonrpc": "2.0", "method": "calc.subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "calc.getData", "id": "9"}
    ]`,
    response: [
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ],
  },
  {
    title: 'rpc call Batch (all notifications)',
    request: `[
        {"jsonrpc": "2.0", "method": "calc.notifySum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "calc.notifyHello", "params": [7]}
    ]`,
  },
];

export type SpecResponse = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: { code?: unknown } } };

// Our messages say more than the specification's; its codes and ids are matched exactly.
export function comparable(reply: unknown): unknown {
  if (Array.isArray(reply)) return reply.map(comparable);
  const r = reply as SpecResponse;
  return r.error === undefined ? r : { jsonrpc: r.jsonrpc, error: { code: r.error.code }, id: r.id };
}
