import { type ServiceDefinition } from './define';

const SERVICE_NAME = /^[a-z][a-zA-Z0-9]*$/;
const METHOD_NAME = /^[a-z][a-zA-Z0-9_]*$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const KNOWN_INFRASTRUCTURE = new Set(['db', 'config']);

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
    if (m.timeoutMs !== undefined && (!Number.isInteger(m.timeoutMs) || m.timeoutMs <= 0)) problems.push(`${where}: timeoutMs must be a positive integer, got ${JSON.stringify(m.timeoutMs)}`);
    if (m.access !== undefined && (!Array.isArray(m.access) || m.access.some((r) => typeof r !== 'string'))) problems.push(`${where}: access must be an array of role names`);
    if (m.cache !== undefined && !(typeof m.cache === 'object' && Number.isInteger(m.cache.ttlMs) && m.cache.ttlMs > 0)) problems.push(`${where}: cache must be { ttlMs: <positive integer> }`);
    if (m.variadic) {
      const names = Object.keys(m.params?.properties ?? {});
      const last = names.length > 0 ? m.params!.properties[names[names.length - 1]] : undefined;
      if (last?.type !== 'array') problems.push(`${where}: variadic needs the last param to be an array schema`);
    }
  }
  return problems;
}
