import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { checkService, type JunctionConfig, type ServiceDefinition } from '@junction/core';

export interface LoadedService {
  readonly def: ServiceDefinition;
  /** The file it was loaded from: threads and child processes load it again. */
  readonly module: string;
}

/**
 * Loads the service named by each `services.<name>.package`: an npm package, or a path relative
 * to the config file. Every problem is reported at once.
 */
export function loadServices(config: JunctionConfig, configFile: string, names: readonly string[]): LoadedService[] {
  const problems: string[] = [];
  const loaded: LoadedService[] = [];
  const fromConfig = createRequire(resolve(configFile));
  const fromCwd = createRequire(resolve('package.json'));
  for (const name of names) {
    const entry = config.services[name];
    if (entry === undefined) {
      problems.push(`worker.services names "${name}", which is not under services (known: ${Object.keys(config.services).join(', ')})`);
      continue;
    }
    const spec = entry.package.startsWith('.') || isAbsolute(entry.package) ? resolve(dirname(configFile), entry.package) : entry.package;
    let mod: { service?: unknown };
    let module: string;
    try {
      ({ mod, module } = requireFrom(spec, [fromConfig, fromCwd]));
    } catch (err) {
      problems.push(`services.${name}.package: cannot load "${entry.package}": ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const def = mod.service;
    const defProblems = checkService(def);
    if (defProblems.length > 0) {
      problems.push(`services.${name}.package: "${entry.package}" must export \`service\` made by defineService(): ${defProblems.join('; ')}`);
    } else if ((def as ServiceDefinition).name !== name) {
      problems.push(`services.${name}: package "${entry.package}" exports service "${(def as ServiceDefinition).name}"; name the config key after it`);
    } else {
      loaded.push({ def: def as ServiceDefinition, module });
    }
  }
  if (problems.length > 0) throw new Error(`${configFile}: cannot load services:\n  - ${problems.join('\n  - ')}`);
  return loaded;
}

let tsHook: (() => void) | undefined;

/** A service written as a lone `.ts` file (the README's first service) is compiled on load by tsx. */
function enableTypeScript(): void {
  if (tsHook !== undefined || process.execArgv.some((a) => a.includes('tsx'))) return;
  tsHook = (require('tsx/cjs/api') as { register: () => () => void }).register();
}

function requireFrom(spec: string, requirers: NodeJS.Require[]): { mod: { service?: unknown }; module: string } {
  if (/\.[cm]?ts$/.test(spec)) enableTypeScript();
  let first: unknown;
  for (const r of requirers) {
    try {
      return { mod: r(spec) as { service?: unknown }, module: r.resolve(spec) };
    } catch (err) {
      // Only "not found from here" moves on; a module that throws while loading is its own error.
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((err as Error).message).includes(spec)) throw err;
      first ??= err;
    }
  }
  throw first;
}
