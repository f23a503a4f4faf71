import { ALWAYS_REDACTED } from '../logging/logger';
import { type ArgsPolicy } from './span';

export const REDACTED = '[redacted]';
/** Longest args text a span keeps; a longer one is cut, and says so. */
export const MAX_ARGS_CHARS = 4096;

/**
 * The args as a span stores them: positional args named by the method's params, the sensitive
 * ones (and the platform's always-redacted names, as in log lines) replaced by `[redacted]`,
 * copied as JSON. Runs when spans are shipped, never on a call's reply path.
 */
export function redactArgs(args: unknown, policy: ArgsPolicy): unknown {
  if (policy.sensitive === true) return REDACTED;
  const hidden = new Set<string>(ALWAYS_REDACTED);
  for (const name of policy.sensitive ?? []) hidden.add(name);
  let named: Record<string, unknown>;
  if (Array.isArray(args)) {
    named = {};
    args.forEach((v, i) => (named[policy.names[i] ?? String(i)] = v));
  } else if (typeof args === 'object' && args !== null) {
    named = args as Record<string, unknown>;
  } else {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(named)) out[k] = hidden.has(k) ? REDACTED : v;
  return jsonCopy(out);
}

function jsonCopy(value: unknown): unknown {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch (err) {
    return { unserializable: (err as Error).message };
  }
  if (text.length > MAX_ARGS_CHARS) return { truncated: true, text: text.slice(0, MAX_ARGS_CHARS) };
  return JSON.parse(text) as unknown;
}
