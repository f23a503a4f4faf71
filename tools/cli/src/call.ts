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
  let params: unknown = {};
  if (argsText !== undefined) {
    try {
      params = JSON.parse(argsText);
    } catch (err) {
      return { ok: false, text: `the arguments must be JSON (an object by name or an array by position): ${(err as Error).message}` };
    }
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.timeoutMs !== undefined) headers['x-junction-timeout-ms'] = String(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(new URL('/rpc', opts.url), {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: target, params, id: 1 }),
    });
  } catch (err) {
    return { ok: false, text: `cannot reach the gateway at ${opts.url}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message} (is \`npm start\` running? set --url or JUNCTION_URL)` };
  }
  const body = (await res.json().catch(() => undefined)) as { result?: unknown; error?: { message: string; data?: { code?: string; details?: unknown } } } | undefined;
  if (body === undefined) return { ok: false, text: `the gateway answered HTTP ${res.status} without a JSON-RPC body` };
  if (body.error !== undefined) {
    const details = body.error.data?.details === undefined ? '' : `\n${JSON.stringify(body.error.data.details, null, 2)}`;
    return { ok: false, text: `${body.error.data?.code ?? 'ERROR'}: ${body.error.message}${details}` };
  }
  return { ok: true, text: JSON.stringify(body.result, null, 2) };
}
