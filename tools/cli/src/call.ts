import { createClient, isJunctionCallError, type JunctionClient } from '@junction/client-sdk';

/** `junction call service.method '<json args>'`: one JSON-RPC call to a gateway, for the shell. */
export interface CallOptions {
  url: string;
  key?: string;
  timeoutMs?: number;
}

export interface CallOutcome {
  ok: boolean;
  /** The result as JSON, or the error as `CODE: message`. */
  text: string;
}

export async function callMethod(target: string, argsText: string | undefined, opts: CallOptions): Promise<CallOutcome> {
  let args: unknown;
  if (argsText !== undefined) {
    try {
      args = JSON.parse(argsText);
    } catch (err) {
      return { ok: false, text: `the arguments must be JSON (an object by name or an array by position): ${(err as Error).message}` };
    }
  }
  let client: JunctionClient;
  try {
    client = createClient({ url: opts.url, key: opts.key, timeoutMs: opts.timeoutMs });
  } catch (err) {
    return { ok: false, text: `${(err as Error).message}; check --url (or JUNCTION_URL) and --timeout-ms` };
  }
  try {
    const result = await client.call(target, args as Record<string, unknown> | unknown[] | undefined);
    return { ok: true, text: JSON.stringify(result, null, 2) };
  } catch (err) {
    if (!isJunctionCallError(err)) throw err;
    // No HTTP status: nothing answered, most likely no gateway on that URL.
    const hint = err.code === 'UNAVAILABLE' && err.httpStatus === undefined ? ' (is `npm start` running? set --url or JUNCTION_URL)' : '';
    const details = err.details === undefined ? '' : `\n${JSON.stringify(err.details, null, 2)}`;
    return { ok: false, text: `${err.code}: ${err.message}${hint}${details}` };
  }
}
