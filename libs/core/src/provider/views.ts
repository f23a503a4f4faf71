import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type ServiceDefinition } from '../service';

/** A service's nunjucks templates by their path in its views folder (`'shot-list.njk'`, `'parts/row.njk'`). */
export type ViewSources = Readonly<Record<string, string>>;

export interface ReadViews {
  sources: ViewSources;
  /** Each names the service, the method or folder, the path looked at and the fix. */
  problems: string[];
}

// A gateway asks for these with one call and keeps them in memory: a folder that grew past this
// is more likely a wrong path (a whole package) than templates.
const MAX_BYTES = 1024 * 1024;

/**
 * Reads every `.njk` file below a service's `views` folder, once, when a provider registers it,
 * so `system.views` answers from memory and a gateway without the service's code can render its
 * templates. A template a method names that is not there is a problem, not a later 500.
 */
export function readViews(def: ServiceDefinition): ReadViews {
  const problems: string[] = [];
  const sources: Record<string, string> = {};
  const folder = def.views;
  if (folder === undefined) return { sources: Object.freeze(sources), problems };
  let files: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
    files = templatesBelow(folder);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    return { sources: Object.freeze(sources), problems: [`service "${def.name}": views folder ${folder} ${why}; create it or fix views in defineService()`] };
  }
  let bytes = 0;
  for (const file of files) {
    const name = relative(folder, file).split(sep).join('/');
    sources[name] = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(sources[name]);
  }
  if (bytes > MAX_BYTES) problems.push(`service "${def.name}": views folder ${folder} holds ${bytes} bytes of .njk files, more than ${MAX_BYTES}; is it the right folder?`);
  for (const [method, m] of Object.entries(def.methods)) {
    if (m.template === undefined || m.template in sources) continue;
    problems.push(`service "${def.name}", method "${method}": template "${m.template}" not found: looked for ${join(folder, m.template)}`);
  }
  return { sources: Object.freeze(sources), problems };
}

function templatesBelow(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...templatesBelow(path));
    else if (entry.isFile() && entry.name.endsWith('.njk')) out.push(path);
  }
  return out.sort();
}
