import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@junction/core';
import { type RunningNode, startNode } from './node';

// The README's first service must work when pasted: this test pastes it.
const root = join(__dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## A first service'));
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
const yamlEntry = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];

describe("the README's first service", () => {
  // Beside the repository's packages, so that '@junction/core' resolves as it does for hello.ts at the root.
  const dir = join(root, 'tools', 'cli', '.readme-check');
  let node: RunningNode | undefined;

  beforeAll(async () => {
    expect(code).toBeDefined();
    expect(yamlEntry).toBeDefined();
    mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'hello.ts'), code!);
    const configFile = join(dir, 'config', 'local.yaml');
    const text = `log: { level: silent }\ntransports: { mem: { type: memory } }\nchain: [{ type: route, routes: { '*': { type: remote, transport: mem } } }]\ngateway: { port: 0 }\nworker: { serve: [mem] }\nservices:\n${yamlEntry}`;
    writeFileSync(configFile, text);
    node = await startNode({ config: parseConfig(text, configFile, {}), configFile, role: 'all' });
  });

  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers hello.greet by position and by name, and refuses a number for the name', async () => {
    const rpc = async (params: unknown) => {
      const res = await fetch(`${node!.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'hello.greet', params, id: 1 }) });
      return (await res.json()) as { result?: unknown; error?: { data: { code: string; details: unknown } } };
    };
    await expect(rpc(['Ann'])).resolves.toMatchObject({ result: 'Hello, Ann!' });
    await expect(rpc({ name: 'Ann' })).resolves.toMatchObject({ result: 'Hello, Ann!' });
    const refused = await rpc({ name: 42 });
    expect(refused.error?.data.code).toBe('INVALID_PARAMS');
    expect(JSON.stringify(refused.error?.data.details)).toContain('/name');
  });
});
