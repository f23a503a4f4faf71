import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from './load';

const repoConfig = (name: string) => join(__dirname, '../../../../config', name);

function problemsOf(text: string, env: Record<string, string> = {}): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('config', () => {
  it('loads config/local.yaml with its defaults filled in and frozen', () => {
    const config = loadConfig(repoConfig('local.yaml'), {});
    expect(config.gateway).toMatchObject({ host: '127.0.0.1', port: 8080, maxBatch: 100, requireKey: false });
    expect(config.transports.mem).toEqual({ type: 'memory', maxInFlight: 1024, maxQueue: 10000 });
    expect(config.infrastructure.db).toEqual({ type: 'sqlite', path: 'data/junction.db' });
    expect(Object.isFrozen(config.gateway)).toBe(true);
  });

  it('loads config/cluster.yaml: RabbitMQ for every service, PostgreSQL for the db', () => {
    const config = loadConfig(repoConfig('cluster.yaml'), { JUNCTION_WORKER_PORT: '9001' });
    expect(config.transports.rabbit).toMatchObject({ type: 'amqp', url: 'amqp://guest:guest@127.0.0.1:5672', prefetch: 100, queuePrefix: 'junction.svc.' });
    expect(config.infrastructure.db).toEqual({ type: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(config.worker?.http).toEqual({ host: '127.0.0.1', port: 9001 });
  });

  it('interpolates ${VAR:-default}, typing a whole-value reference as YAML would', () => {
    const config = parseConfig('gateway:\n  port: ${PORT:-8080}\n  host: "${HOST:-localhost}"\nnode:\n  name: node-${ID:-1}\n  debug: ${DEBUG:-false}\n', 't.yaml', { PORT: '9090', DEBUG: 'true' });
    expect(config.gateway?.port).toBe(9090);
    expect(config.gateway?.host).toBe('localhost');
    expect(config.node).toEqual({ name: 'node-1', debug: true, heartbeatMs: 5000 });
    const memory = parseConfig('infrastructure:\n  db: { type: sqlite, path: "${P:-x}" }\n', 't.yaml', { P: ':memory:' });
    expect(memory.infrastructure.db).toEqual({ type: 'sqlite', path: ':memory:' });
  });

  it('lists every mistake at once, each with its line, path, expectation and the value found', () => {
    const text = [
      'gateway:', //                     1
      '  port: eighty', //               2
      '  prot: 8080', //                 3
      'transports:', //                  4
      '  rabbit:', //                    5
      '    type: rabit', //              6
      '  mem:', //                       7
      '    type: memory', //             8
      '    maxQueue: -1', //             9
      'services:', //                    10
      '  calc:', //                      11
      '    concurrency: { type: inline, maxInFlight: ten }', // 12
      'log:', //                         13
      '  level: loud', //                14
      'infrastructure:', //              15
      '  db: { type: postgres, url: "${PG_URL}" }', // 16
    ].join('\n');
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        'line 2: gateway.port: expected integer, got string "eighty"',
        'line 3: gateway.prot: unknown key; expected one of host, port, bodyLimit, maxBatch, maxDepth, maxInFlight, maxQueue, defaultTimeoutMs, requireKey, apiKeys, cors',
        'line 6: transports.rabbit.type: unknown transport "rabit"; expected one of memory, amqp, tcp, zeromq',
        'line 9: transports.mem.maxQueue: expected a value that must be >= 0, got number -1',
        'line 11: services.calc.package: required, and missing',
        'line 12: services.calc.concurrency.maxInFlight: expected integer, got string "ten"',
        'line 14: log.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got string "loud"',
        'line 16: infrastructure.db.url: environment variable PG_URL is not set and has no default; set it, or write ${PG_URL:-<default>}',
      ]),
    );
    expect(problems.length).toBeLessThanOrEqual(10);
  });

  it('takes gateway.cors origins as scheme, host and port, refusing a path or another scheme', () => {
    const ok = parseConfig('gateway:\n  cors:\n    origins: ["http://localhost:3000", "https://tools.studio.example", "*"]\n', 'cors.yaml');
    expect(ok.gateway?.cors).toEqual({ origins: ['http://localhost:3000', 'https://tools.studio.example', '*'], maxAgeSeconds: 600 });
    expect(() => parseConfig('gateway:\n  cors:\n    origins: ["http://app.example/path", "ftp://x"]\n', 'cors.yaml')).toThrow(
      /gateway\.cors\.origins\[0\].*"http:\/\/app\.example\/path"[\s\S]*gateway\.cors\.origins\[1\].*"ftp:\/\/x"/,
    );
  });

  it('names the file in the error message', () => {
    expect(() => parseConfig('gateway: { port: x }', 'config/bad.yaml', {})).toThrow(/^config\/bad\.yaml: 1 problem\(s\) in the configuration:\n  - line 1: gateway\.port: expected integer/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('gateway:\n  port: 1\n port: 2\n')[0]).toMatch(/^line 3: /);
  });

  it('reports a missing file by name', () => {
    expect(() => loadConfig('/nonexistent/junction.yaml')).toThrow('/nonexistent/junction.yaml: 1 problem(s) in the configuration:\n  - cannot read the file: ENOENT');
  });
});
