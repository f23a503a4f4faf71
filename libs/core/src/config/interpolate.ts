import { parse as parseYamlScalar } from 'yaml';

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export interface Interpolated {
  value: unknown;
  problems: { path: (string | number)[]; message: string }[];
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree. A string that is
 * one reference alone takes the YAML type of what it becomes (`port: ${PORT:-8080}` is a number).
 */
export function interpolate(tree: unknown, env: Readonly<Record<string, string | undefined>>): Interpolated {
  const problems: Interpolated['problems'] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return substitute(node, path);
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return node;
  };
  const lookup = (name: string, fallback: string | undefined, path: (string | number)[]): string => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    problems.push({ path, message: `environment variable ${name} is not set and has no default; set it, or write \${${name}:-<default>}` });
    return '';
  };
  const substitute = (text: string, path: (string | number)[]): unknown => {
    const whole = WHOLE.exec(text);
    if (whole !== null) {
      const raw = lookup(whole[1], whole[2], path);
      // Only scalars take a YAML type: a value like `:memory:` must not turn into a map.
      try {
        const typed: unknown = parseYamlScalar(raw);
        return typeof typed === 'number' || typeof typed === 'boolean' ? typed : raw;
      } catch {
        return raw;
      }
    }
    return text.replace(VAR, (_m, name: string, fallback: string | undefined) => lookup(name, fallback, path));
  };
  return { value: walk(tree, []), problems };
}
