import { parseArgs } from 'node:util';
import { startStandaloneConsole } from '@junction/console';
import { ConfigError, createLogger, loadConfig } from '@junction/core';
import { callMethod } from './call';
import { type Role, ROLES, type RunningNode, startNode } from './node';

const USAGE = `usage:
  junction start [--config config/local.yaml] [--role all|gateway|worker]
  junction console [--config config/local.yaml]   (the developer console on its own, in front of a gateway)
  junction call <service.method> ['<json args>'] [--url http://127.0.0.1:8080] [--key KEY] [--timeout-ms N]
  junction help`;

/** The CLI's entry; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'call':
      return call(rest);
    case 'console':
      return standaloneConsole(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`junction: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

async function start(args: readonly string[]): Promise<number> {
  let values: { config: string; role: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { config: { type: 'string', default: 'config/local.yaml' }, role: { type: 'string', default: 'all' } } }) as { values: { config: string; role: string } });
  } catch (err) {
    console.error(`junction start: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!ROLES.includes(values.role as Role)) {
    console.error(`junction start: --role must be one of ${ROLES.join(', ')}, got "${values.role}"`);
    return 2;
  }
  let node: RunningNode;
  try {
    const config = loadConfig(values.config);
    node = await startNode({ config, configFile: values.config, role: values.role as Role });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `junction start: ${(err as Error).message}`);
    return 1;
  }
  printBanner(node, values.config);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        node.log.warn(`second ${signal}: exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      node.log.info(`${signal}: stopping (finishing calls in flight; ${signal} again to force)`);
      node.stop().then(
        (clean) => {
          if (clean) {
            node.log.info('stopped: every call in flight was finished and answered');
            resolve(0);
            return;
          }
          // Handlers given up on at the end of the grace period may still be running (until their
          // deadlines): exit now, as the grace period promised, instead of waiting for them.
          node.log.warn('stopped, but not cleanly: calls were abandoned at the end of the grace period, or something failed to close (see above)');
          process.exit(1);
        },
        (err: unknown) => {
          node.log.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `junction console`: the console on its own, at console.host:console.port, calling the gateway over HTTP (docs/console.md). */
async function standaloneConsole(args: readonly string[]): Promise<number> {
  let configFile: string;
  try {
    configFile = (parseArgs({ args: [...args], options: { config: { type: 'string', default: 'config/local.yaml' } } }).values.config as string | undefined) ?? 'config/local.yaml';
  } catch (err) {
    console.error(`junction console: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let running: Awaited<ReturnType<typeof startStandaloneConsole>>;
  try {
    const config = loadConfig(configFile);
    const format = config.log.format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : config.log.format;
    running = await startStandaloneConsole(config, configFile, createLogger({ level: config.log.level, name: `${config.node.name}-console`, format }));
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `junction console: ${(err as Error).message}`);
    return 1;
  }
  console.log(`junction: console at ${running.url}/services, calling the gateway at ${running.gatewayUrl}\n  Ctrl-C stops it.`);
  return new Promise<number>((resolve) => {
    const stop = () => void running.close().then(() => resolve(0), () => resolve(1));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function printBanner(node: RunningNode, configFile: string): void {
  const services = node.provider?.services() ?? [];
  const lines = [`junction: ${node.role} node up from ${configFile}${services.length > 0 ? `, hosting ${services.join(', ')}` : ''}`];
  if (node.healthUrl !== undefined) lines.push(`  worker health  GET  ${node.healthUrl}/healthz   ${node.healthUrl}/readyz   ${node.healthUrl}/metrics`);
  if (node.url !== undefined) {
    const u = node.url;
    lines.push(
      `  JSON-RPC 2.0   POST ${u}/rpc`,
      `  plain JSON     POST ${u}/api/<service>/<method>   (GET for safe methods)`,
      `  health         GET  ${u}/healthz   ${u}/readyz`,
      ...(node.consoleUrl === undefined ? [] : [`  console        ${node.consoleUrl}`]),
      `  try it:        curl -s ${u}/rpc -H 'content-type: application/json' -d '{"jsonrpc":"2.0","method":"calc.subtract","params":[42,23],"id":1}'`,
    );
  }
  lines.push('  Ctrl-C stops it.');
  console.log(lines.join('\n'));
}

async function call(args: readonly string[]): Promise<number> {
  let parsed: { values: { url?: string; key?: string; 'timeout-ms'?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { url: { type: 'string' }, key: { type: 'string' }, 'timeout-ms': { type: 'string' } },
    }) as typeof parsed;
  } catch (err) {
    console.error(`junction call: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [target, argsText, extra] = parsed.positionals;
  if (target === undefined || extra !== undefined) {
    console.error(`junction call: expected <service.method> and at most one JSON argument\n${USAGE}`);
    return 2;
  }
  const timeout = parsed.values['timeout-ms'];
  const outcome = await callMethod(target, argsText, {
    url: parsed.values.url ?? process.env.JUNCTION_URL ?? 'http://127.0.0.1:8080',
    key: parsed.values.key ?? process.env.JUNCTION_API_KEY,
    timeoutMs: timeout === undefined ? undefined : Number(timeout),
  });
  (outcome.ok ? console.log : console.error)(outcome.text);
  return outcome.ok ? 0 : 1;
}
