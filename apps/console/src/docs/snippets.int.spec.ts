import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ts from 'typescript';
import { service as calc } from '@junction/service-calc';
import { service as dailies } from '@junction/service-dailies';
import { service as render } from '@junction/service-render';
import { service as shots } from '@junction/service-shots';
import { service as validator1 } from '@junction/service-validator1';
import { KEYS, type Platform, snippetOf, startPlatform } from '../testing/platform';
import { snippets } from './snippets';

const run = promisify(execFile);
jest.setTimeout(60_000);

// The snippets as a developer copies them, run the way they would run them: a real shell, a real
// Python, against the gateway listening on a port.
const PYTHON = 'python3';
const hasPython = async () => run(PYTHON, ['--version']).then(() => true, () => false);

describe('call snippets, run for real', () => {
  let p: Platform;
  let cookie: string;
  const env = () => ({ ...process.env, JUNCTION_API_KEY: KEYS.developer });

  const page = async (service: string, method: string) => {
    const res = await fetch(`${p.url}/console/services/${service}/${method}`, { headers: { cookie, accept: 'text/html' } });
    expect(res.status).toBe(200);
    return res.text();
  };
  const bash = async (script: string) => (await run('bash', ['-c', script], { env: env(), timeout: 20_000 })).stdout;

  beforeAll(async () => {
    p = await startPlatform();
    const res = await fetch(`${p.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key: KEYS.developer }) });
    cookie = res.headers.get('set-cookie')!.split(';')[0];
  });
  afterAll(async () => {
    await p?.close();
  });

  it('the curl JSON-RPC snippet of calc.subtract answers 19 through a real shell', async () => {
    const code = snippetOf(await page('calc', 'subtract'), 'curl-rpc');
    expect(code).toContain(`${p.url}/rpc`);
    expect(JSON.parse(await bash(code))).toEqual({ jsonrpc: '2.0', result: 19, id: 1 });
  });

  it('the curl JSON snippet of calc.subtract answers 19', async () => {
    expect(JSON.parse(await bash(snippetOf(await page('calc', 'subtract'), 'curl-json')))).toBe(19);
  });

  it('quoting survives a real shell: args with quotes, $ and backticks reach the service as they were', async () => {
    const name = `Dune: it's "the" $HOME \`worm\` \\ part`;
    const list = snippets({ url: p.url, service: 'shots', method: 'createProject', params: [{ name: 'code', schema: {} }, { name: 'name', schema: {} }], variadic: false, args: { code: 'quoted', name }, withKey: true });
    const reply = JSON.parse(await bash(list.find((s) => s.id === 'curl-rpc')!.code));
    expect(reply.result).toMatchObject({ code: 'quoted', name });
  });

  it('the Python snippets of calc.subtract print 19 (xmlrpc.client and requests)', async () => {
    if (!(await hasPython())) return console.warn('skipped: no python3 on this machine');
    const html = await page('calc', 'subtract');
    for (const id of ['python-xmlrpc', 'python-requests']) {
      const code = snippetOf(html, id);
      if (id === 'python-requests' && (await run(PYTHON, ['-c', 'import requests']).then(() => false, () => true))) continue;
      const { stdout } = await run(PYTHON, ['-c', code], { env: env(), timeout: 20_000 });
      expect(stdout.trim()).toBe('19');
    }
  });

  const EXAMPLES = [calc, dailies, render, shots, validator1].flatMap((s) => Object.keys(s.methods).map((m) => [s.name, m] as const));

  it('every Python snippet of every example method is valid Python, and every TypeScript snippet parses', async () => {
    const python = await hasPython();
    const sources: string[] = [];
    for (const [service, method] of EXAMPLES) {
      const html = await page(service, method);
      sources.push(snippetOf(html, 'python-xmlrpc'), snippetOf(html, 'python-requests'));
      const tsCode = snippetOf(html, 'typescript');
      const out = ts.transpileModule(tsCode, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      expect([service, method, out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))]).toEqual([service, method, []]);
    }
    if (!python) return console.warn('skipped the Python half: no python3 on this machine');
    // One python process checks them all: ast.parse raises on the first that is not valid.
    const check = 'import ast, json, sys\nfor i, src in enumerate(json.load(sys.stdin)):\n    ast.parse(src, filename=f"snippet {i}")\nprint("ok")';
    const child = execFile(PYTHON, ['-c', check]);
    child.stdin!.end(JSON.stringify(sources));
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      let err = '';
      child.stdout!.on('data', (d) => (text += d));
      child.stderr!.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(err))));
    });
    expect(out.trim()).toBe('ok');
  });
});
