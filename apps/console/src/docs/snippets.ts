import { type Schema } from './schema';

/** What a method's call snippets are made of. */
export interface SnippetInput {
  /** The gateway's base URL as a caller reaches it, e.g. `http://127.0.0.1:8080`. */
  url: string;
  service: string;
  method: string;
  /** Params in declared order (XML-RPC passes them by position). */
  params: readonly { name: string; schema: Schema }[];
  /** The last param collects any further positional args. */
  variadic: boolean;
  args: Record<string, unknown>;
  /** Send the API key from the environment variable JUNCTION_API_KEY. */
  withKey: boolean;
}

export interface Snippet {
  id: string;
  label: string;
  /** For highlighting: `shell`, `python`, `typescript`. */
  language: string;
  code: string;
}

/** A word for a POSIX shell, single-quoted unless it needs no quotes: `'` becomes `'\''`. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A Python literal. JSON's string escapes (`\"`, `\\`, `\n`, `\uXXXX`) mean the same in a Python
 * string literal, so strings are JSON's; the rest is Python's spelling of JSON.
 */
export function pythonLiteral(value: unknown, indent = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  const pad = '    '.repeat(indent + 1);
  const end = '    '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => pythonLiteral(v, indent)).join(', ')}]`;
    if (inline.length <= 72 && !inline.includes('\n')) return inline;
    return `[\n${value.map((v) => `${pad}${pythonLiteral(v, indent + 1)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const inline = `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v, indent)}`).join(', ')}}`;
  if (inline.length <= 72 && !inline.includes('\n')) return inline;
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonLiteral(v, indent + 1)},`).join('\n')}\n${end}}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript literal: JSON, with keys unquoted where they are identifiers. */
export function tsLiteral(value: unknown, indent = 0): string {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const pad = '  '.repeat(indent + 1);
  const end = '  '.repeat(indent);
  if (Array.isArray(value)) {
    const inline = `[${value.map((v) => tsLiteral(v, indent)).join(', ')}]`;
    if (inline.length <= 72 && !inline.includes('\n')) return inline;
    return `[\n${value.map((v) => `${pad}${tsLiteral(v, indent + 1)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const key = (k: string) => (IDENTIFIER.test(k) ? k : JSON.stringify(k));
  const inline = `{ ${entries.map(([k, v]) => `${key(k)}: ${tsLiteral(v, indent)}`).join(', ')} }`;
  if (inline.length <= 72 && !inline.includes('\n')) return inline;
  return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${tsLiteral(v, indent + 1)},`).join('\n')}\n${end}}`;
}

/** A param value for Python's xmlrpc.client: a date-time as a `datetime`, base64 text as `Binary` (their XML-RPC types). */
function xmlRpcValue(value: unknown, schema: Schema | undefined, uses: Set<string>): string {
  if (typeof value === 'string' && schema?.format === 'date-time') {
    uses.add('datetime');
    // fromisoformat before Python 3.11 does not read a trailing Z.
    return `datetime.datetime.fromisoformat(${JSON.stringify(value.replace(/Z$/, '+00:00'))})`;
  }
  if (typeof value === 'string' && schema?.contentEncoding === 'base64') {
    uses.add('base64');
    return `xmlrpc.client.Binary(base64.b64decode(${JSON.stringify(value)}))`;
  }
  return pythonLiteral(value);
}

/** The args by position, as XML-RPC sends them: declared order, a variadic param's items spread; stops at the first param not given. */
function positional(input: SnippetInput, uses: Set<string>): { values: string[]; skipped: string[] } {
  const values: string[] = [];
  const skipped: string[] = [];
  let gap: string | undefined;
  input.params.forEach((p, i) => {
    const v = input.args[p.name];
    if (v === undefined) {
      gap ??= p.name;
      return;
    }
    if (gap !== undefined) {
      skipped.push(p.name);
      return;
    }
    const last = i === input.params.length - 1;
    if (last && input.variadic && Array.isArray(v)) values.push(...v.map((x) => xmlRpcValue(x, p.schema.items as Schema | undefined, uses)));
    else values.push(xmlRpcValue(v, p.schema, uses));
  });
  return { values, skipped };
}

/** Copy-ready calls of one method: curl (JSON-RPC and plain JSON), Python (xmlrpc.client and requests) and TypeScript (the client SDK). */
export function snippets(input: SnippetInput): Snippet[] {
  const { url, service, method, args, withKey } = input;
  const target = `${service}.${method}`;
  const rpcBody = JSON.stringify({ jsonrpc: '2.0', method: target, params: args, id: 1 });
  // Double quotes: the shell puts the key in from the environment.
  const keyHeader = withKey ? ` \\\n  -H "Authorization: Bearer $JUNCTION_API_KEY"` : '';
  const apiUrl = `${url}/api/${encodeURIComponent(service)}/${encodeURIComponent(method)}`;

  const curlRpc = `curl -sS ${shellQuote(`${url}/rpc`)} \\\n  -H 'content-type: application/json'${keyHeader} \\\n  -d ${shellQuote(rpcBody)}`;
  const curlJson = `curl -sS ${shellQuote(apiUrl)} \\\n  -H 'content-type: application/json'${keyHeader} \\\n  -d ${shellQuote(JSON.stringify(args))}`;

  const uses = new Set<string>();
  const { values, skipped } = positional(input, uses);
  const xmlImports = ['xmlrpc.client', ...(withKey ? ['os'] : []), ...[...uses].sort()].sort();
  const proxyArgs = withKey ? `${JSON.stringify(`${url}/RPC2`)}, headers=[("Authorization", "Bearer " + os.environ["JUNCTION_API_KEY"])]` : JSON.stringify(`${url}/RPC2`);
  const note = skipped.length === 0 ? '' : `# XML-RPC passes params by position: ${skipped.join(', ')} cannot be sent without the params before ${skipped.length === 1 ? 'it' : 'them'}.\n`;
  const pythonXml = `${xmlImports.map((m) => `import ${m}`).join('\n')}\n\ngateway = xmlrpc.client.ServerProxy(${proxyArgs})\n${note}result = gateway.${service}.${method}(${values.join(', ')})\nprint(result)\n`;

  const requestsImports = withKey ? 'import os\n\nimport requests' : 'import requests';
  const headers = withKey ? `\n    headers={"Authorization": "Bearer " + os.environ["JUNCTION_API_KEY"]},` : '';
  const pythonRequests = `${requestsImports}\n\nresponse = requests.post(\n    ${JSON.stringify(apiUrl)},\n    json=${pythonLiteral(args, 1)},${headers}\n    timeout=30,\n)\nif response.ok:\n    print(response.json())\nelse:\n    print(response.status_code, response.json()["error"])\n`;

  const clientOpts = withKey ? `{ url: ${JSON.stringify(url)}, key: process.env.JUNCTION_API_KEY }` : `{ url: ${JSON.stringify(url)} }`;
  const typescript = `import { createClient } from '@junction/client-sdk';\n\nconst client = createClient(${clientOpts});\nconst result = await client.call(${JSON.stringify(target)}, ${tsLiteral(args)});\nconsole.log(result);\n`;

  return [
    { id: 'curl-rpc', label: 'curl · JSON-RPC', language: 'shell', code: curlRpc },
    { id: 'curl-json', label: 'curl · JSON', language: 'shell', code: curlJson },
    { id: 'python-xmlrpc', label: 'Python · xmlrpc.client', language: 'python', code: pythonXml },
    { id: 'python-requests', label: 'Python · requests', language: 'python', code: pythonRequests },
    { id: 'typescript', label: 'TypeScript · client-sdk', language: 'typescript', code: typescript },
  ];
}

/**
 * The args the snippets and the try-it form start from: the first example's, or else each
 * param's default (required params without one get a placeholder of their type).
 */
export function sampleArgs(method: { params: readonly { name: string; schema: Schema; required: boolean }[]; examples: readonly { args: Record<string, unknown> }[] }): Record<string, unknown> {
  const example = method.examples[0]?.args;
  if (example !== undefined) return example;
  const out: Record<string, unknown> = {};
  for (const p of method.params) {
    if (p.schema.default !== undefined) out[p.name] = p.schema.default;
    else if (p.required) out[p.name] = placeholder(p.schema);
  }
  return out;
}

function placeholder(s: Schema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum !== undefined) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt !== undefined && alt.length > 0) return placeholder(alt[0]);
  if (s.format === 'date-time') return '2025-01-01T00:00:00Z';
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return s.contentEncoding === 'base64' ? '' : 'text';
    case 'integer':
    case 'number':
      return s.minimum ?? s.exclusiveMinimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = placeholder(s.properties?.[name] ?? {});
      return out;
    }
    default:
      return null;
  }
}
