import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const fixture = (name: string) => join(__dirname, 'fixtures', name);

/** Runs the CLI from its TypeScript sources, as `node dist/bin.js` would run the build. */
function junction(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions', '@junction/source', join(__dirname, 'bin.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return { out: () => out, err: () => err, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('junction CLI', () => {
  jest.setTimeout(60_000);

  it('exits non-zero on a config with mistakes, listing every one with its path', async () => {
    const run = collect(junction(['start', '--config', fixture('broken.yaml')]));
    expect(await run.exit).toBe(1);
    const err = run.err();
    expect(err).toContain('broken.yaml: 4 problem(s) in the configuration');
    expect(err).toContain('line 2: gateway.port: expected integer, got string "eighty"');
    expect(err).toContain('line 3: gateway.bodyLimt: unknown key');
    expect(err).toContain('line 5: transports.mem.type: unknown transport "memry"; expected one of memory, amqp, tcp, zeromq');
    expect(err).toContain('line 9: services.calc.concurrency.maxInFlight: expected a value that must be >= 1, got number 0');
  });

  it('refuses an unknown role', async () => {
    const run = collect(junction(['start', '--role', 'boss']));
    expect(await run.exit).toBe(2);
    expect(run.err()).toContain('--role must be one of all, gateway, worker, got "boss"');
  });

  it('starts the embedded platform, prints its URLs, answers calls, and stops cleanly on Ctrl-C', async () => {
    const child = junction(['start', '--config', 'config/local.yaml'], { JUNCTION_PORT: '0', JUNCTION_LOG_LEVEL: 'warn', JUNCTION_SQLITE_PATH: ':memory:' });
    const run = collect(child);
    await waitFor(() => /POST (http:\/\/[^/\s]+)\/rpc/.test(run.out()), 'the banner');
    const url = /POST (http:\/\/[^/\s]+)\/rpc/.exec(run.out())![1];
    expect(run.out()).toContain(`GET  ${url}/healthz`);

    const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","method":"calc.subtract","params":[42,23],"id":1}' });
    expect(await res.text()).toBe('{"jsonrpc":"2.0","result":19,"id":1}');

    const call = collect(junction(['call', 'calc.subtract', '{"minuend":42,"subtrahend":23}', '--url', url]));
    expect(await call.exit).toBe(0);
    expect(call.out().trim()).toBe('19');

    const bad = collect(junction(['call', 'calc.divide', '[1,0]', '--url', url]));
    expect(await bad.exit).toBe(1);
    expect(bad.err()).toContain('SERVICE_ERROR: cannot divide 1 by zero');

    child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('says where it could not reach a gateway', async () => {
    const call = collect(junction(['call', 'calc.subtract', '[1,2]', '--url', 'http://127.0.0.1:9']));
    expect(await call.exit).toBe(1);
    expect(call.err()).toContain('cannot reach the gateway at http://127.0.0.1:9');
  });
});
