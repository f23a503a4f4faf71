import { join } from 'node:path';
import { loadConfig } from '@junction/core';
import { type RunningNode, startNode } from './node';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

async function rpc(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as { result?: unknown; error?: unknown } };
}

describe('the embedded node (gateway -> chain -> memory transport -> provider)', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ config: loadConfig(fixture('embedded.yaml')), configFile: fixture('embedded.yaml'), role: 'all' });
  });
  afterAll(() => node.stop());

  it('answers the README call', async () => {
    await expect(rpc(node.url!, { jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id: 1 })).resolves.toEqual({ status: 200, body: { jsonrpc: '2.0', result: 19, id: 1 } });
  });

  it('hosts the system service, describing every service', async () => {
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'system.listMethods', id: 2 });
    expect(body.result as string[]).toEqual(expect.arrayContaining(['calc.subtract', 'shots.list', 'odd.bigint', 'system.health']));
  });

  it('fails a result that cannot cross a wire, as a remote transport would', async () => {
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'odd.bigint', id: 3 });
    expect(body.error).toMatchObject({ code: -32603, data: { code: 'INTERNAL' } });
  });

  it('carries the caller from the API key to the handler', async () => {
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'odd.whoami', id: 4 }, { authorization: 'Bearer test-key-artist' });
    expect(body.result).toEqual({ identity: 'ann', roles: ['artist'] });
  });

  it('sets a log level at runtime over the in-process bus, for an operator, and lists itself in management.nodes', async () => {
    const set = await rpc(node.url!, { jsonrpc: '2.0', method: 'logging.setLevel', params: { service: 'shots', level: 'fatal', ttlMs: 60_000 }, id: 6 }, { authorization: 'Bearer test-key-operator' });
    expect(set.body.error).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    // fatal, not debug: the other tests' shots calls would write lines into this run's output.
    expect(node.provider!.logLevels()).toMatchObject({ shots: 'fatal', calc: 'silent' });
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'management.nodes', id: 7 });
    expect(body.result).toEqual([expect.objectContaining({ name: 'test-embedded', role: 'all', pid: process.pid })]);
  });

  it("routes a handler's ctx.call back through the node's chain", async () => {
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'odd.viaCalc', params: { a: 10, b: 4 }, id: 5 });
    expect(body.result).toBe(6);
  });

  it("renders a shots page through the service's own template, fetched with system.views", async () => {
    await rpc(node.url!, { jsonrpc: '2.0', method: 'shots.createProject', params: { code: 'pages', name: 'Pages' }, id: 8 });
    const res = await fetch(`${node.url}/view/shots/list?project=pages`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<h1>Shots of pages</h1>');
    expect(html).toContain('No shots.');
  });

  it('serves shots on SQLite, creating its schema on first use', async () => {
    const create = await rpc(node.url!, { jsonrpc: '2.0', method: 'shots.createProject', params: { code: 'wwz', name: 'World War Z' }, id: 6 });
    expect(create.body.error).toBeUndefined();
    const { body } = await rpc(node.url!, { jsonrpc: '2.0', method: 'shots.listProjects', id: 7 });
    expect(JSON.stringify(body.result)).toContain('wwz');
  });
});
