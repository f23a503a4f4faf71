import { isAbsolute } from 'node:path';
import { type ServiceDefinition } from './define';
import { checkWireTypes } from './wire-types';

const SERVICE_NAME = /^[a-z][a-zA-Z0-9]*$/;
const METHOD_NAME = /^[a-z][a-zA-Z0-9_]*$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const KNOWN_INFRASTRUCTURE = new Set(['db', 'config']);
// A file below the views folder, by a relative forward-slash path: no `..`, no leading `/`, no `\`.
const TEMPLATE_NAME = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.-]+(?:\/[\w.-]+)*\.njk$/;

/**
 * Every problem with a service definition, each naming the service, the method and the fix.
 * Plain JavaScript callers can pass anything, so nothing is assumed.
 */
export function checkService(def: unknown): string[] {
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null) return [`a service must be an object made by defineService(), got ${def === null ? 'null' : typeof def}`];
  const s = def as Partial<ServiceDefinition>;
  const who = typeof s.name === 'string' ? `service "${s.name}"` : 'service';
  if (typeof s.name !== 'string' || !SERVICE_NAME.test(s.name)) {
    problems.push(`${who}: name must be lower camel case letters and digits (like "shots" or "renderFarm"), got ${JSON.stringify(s.name)}`);
  }
  if (typeof s.version !== 'string' || !VERSION.test(s.version)) problems.push(`${who}: version must be semantic, like "1.0.0", got ${JSON.stringify(s.version)}`);
  if (typeof s.description !== 'string' || s.description.trim() === '') problems.push(`${who}: description must be a non-empty string`);
  for (const need of s.requires ?? []) {
    if (!KNOWN_INFRASTRUCTURE.has(need)) problems.push(`${who}: requires unknown infrastructure "${need}"; known: ${[...KNOWN_INFRASTRUCTURE].join(', ')}`);
  }
  if (s.views !== undefined && (typeof s.views !== 'string' || !isAbsolute(s.views))) {
    problems.push(`${who}: views must be the absolute path of its templates folder, like path.join(__dirname, '..', 'views'), got ${JSON.stringify(s.views)}`);
  }
  if (typeof s.methods !== 'object' || s.methods === null || Object.keys(s.methods).length === 0) {
    problems.push(`${who}: methods must be an object with at least one method`);
    return problems;
  }
  for (const [name, m] of Object.entries(s.methods)) {
    const where = `${who}, method "${name}"`;
    if (!METHOD_NAME.test(name)) problems.push(`${where}: method names must start with a lower-case letter and hold only letters, digits and _`);
    if (typeof m !== 'object' || m === null) {
      problems.push(`${where}: must be made by method(), got ${typeof m}`);
      continue;
    }
    if (typeof m.handler !== 'function') problems.push(`${where}: handler must be a function, got ${typeof m.handler}`);
    if (typeof m.description !== 'string' || m.description.trim() === '') problems.push(`${where}: description must be a non-empty string`);
    if (typeof m.params !== 'object' || m.params === null || m.params.type !== 'object') problems.push(`${where}: params must be an object schema (use method({ params: { ... } }))`);
    if (typeof m.result !== 'object' || m.result === null) problems.push(`${where}: result must be a JSON Schema`);
    problems.push(...checkWireTypes(where, m.params));
    if (m.timeoutMs !== undefined && (!Number.isInteger(m.timeoutMs) || m.timeoutMs <= 0)) problems.push(`${where}: timeoutMs must be a positive integer, got ${JSON.stringify(m.timeoutMs)}`);
    if (m.access !== undefined && (!Array.isArray(m.access) || m.access.some((r) => typeof r !== 'string'))) problems.push(`${where}: access must be an array of role names`);
    if (m.cache !== undefined && !(typeof m.cache === 'object' && Number.isInteger(m.cache.ttlMs) && m.cache.ttlMs > 0)) problems.push(`${where}: cache must be { ttlMs: <positive integer> }`);
    // A cached call is not run: a method with an effect would have it once per TTL, not once per call.
    if (m.cache !== undefined && !m.idempotent && !m.safe) problems.push(`${where}: cache needs idempotent: true (or safe: true); a cache hit skips the call, and its effect`);
    problems.push(...checkSensitive(where, m.sensitive, Object.keys(m.params?.properties ?? {})));
    if (m.template !== undefined) problems.push(...checkTemplate(where, m.template, m.safe === true, s.views));
    if (m.variadic) {
      const names = Object.keys(m.params?.properties ?? {});
      const last = names.length > 0 ? m.params!.properties[names[names.length - 1]] : undefined;
      if (last?.type !== 'array') problems.push(`${where}: variadic needs the last param to be an array schema`);
    }
  }
  return problems;
}

// A misspelt name would leave the real param in every span and log line: refused at registration.
function checkSensitive(where: string, sensitive: unknown, params: readonly string[]): string[] {
  if (sensitive === undefined || typeof sensitive === 'boolean') return [];
  if (!Array.isArray(sensitive) || sensitive.some((p) => typeof p !== 'string')) {
    return [`${where}: sensitive must be true (every param) or a list of param names like ['password'], got ${JSON.stringify(sensitive)}`];
  }
  const unknown = sensitive.filter((p: string) => !params.includes(p));
  return unknown.length === 0 ? [] : [`${where}: sensitive names ${unknown.map((p: string) => `"${p}"`).join(', ')}, not among its params (${params.join(', ') || 'none'})`];
}

// Whether the file exists is the provider's to check when it reads the views (readViews): this
// stays a check of the definition alone.
function checkTemplate(where: string, template: unknown, safe: boolean, views: unknown): string[] {
  if (typeof template !== 'string' || !TEMPLATE_NAME.test(template)) {
    return [`${where}: template must name a .njk file inside the service's views folder by a relative path, like "shot-list.njk", got ${JSON.stringify(template)}`];
  }
  const problems: string[] = [];
  if (views === undefined) problems.push(`${where}: template "${template}" needs the service's views folder: add views: path.join(__dirname, '..', 'views') to defineService()`);
  if (!safe) problems.push(`${where}: template "${template}" is rendered by GET /view/..., which only calls methods marked safe: add safe: true (or drop the template)`);
  return problems;
}
