import { formFields, paramsSchema } from '../docs/form';
import { describeOne, type MethodInfo, notFound, type ServiceInfo } from '../docs/platform';
import { paramRows, resultRows } from '../docs/schema';
import { sampleArgs, snippets } from '../docs/snippets';
import { type ConsolePage } from '../page';
import { formatMs } from '../views';
import { gatewayUrlOf } from '../settings';

interface Target {
  Params: { service: string; method: string };
}

/** The flags of a method, as badges: what a caller may rely on (retries, GET, cache) and must have (roles). */
export function flagsOf(m: MethodInfo): { label: string; title: string; tone: string }[] {
  const out = [];
  if (m.idempotent) out.push({ label: 'idempotent', title: 'Safe to retry: the retry proxy may send it again.', tone: 'good' });
  if (m.safe) out.push({ label: 'safe · GET', title: 'No side effects: callable by GET /api and viewable at /view.', tone: 'good' });
  if (m.cache !== undefined) out.push({ label: `cache ${formatMs(m.cache.ttlMs)}`, title: `Results are cached for ${m.cache.ttlMs} ms by the cache proxy.`, tone: 'info' });
  if (m.access !== undefined && m.access.length > 0) out.push({ label: `roles: ${m.access.join(', ')}`, title: 'The caller needs one of these roles.', tone: 'warn' });
  if (m.sensitiveParams.length > 0) out.push({ label: `sensitive: ${m.sensitiveParams.join(', ')}`, title: 'Never logged or traced: shown as [redacted].', tone: 'warn' });
  if (m.timeoutMs !== undefined) out.push({ label: `timeout ${formatMs(m.timeoutMs)}`, title: `Its own deadline: ${m.timeoutMs} ms.`, tone: 'info' });
  if (m.variadic) out.push({ label: 'variadic', title: `By position, the last param (${m.params.at(-1)?.name ?? ''}) takes every further arg.`, tone: 'info' });
  if (m.template !== undefined) out.push({ label: 'html view', title: `Rendered through its template ${m.template} at /view.`, tone: 'info' });
  return out;
}

const methodList = (s: ServiceInfo, current?: string) => s.methods.map((m) => ({ name: m.name, description: m.description, current: m.name === current }));

/** `GET /services/:service` and `GET /services/:service/:method`: documentation generated from `system.describe`. */
export const method: ConsolePage = (app, { client }) => {
  app.get<{ Params: { service: string } }>('/services/:service', async (request, reply) => {
    const s = await describeOne(client, request.consoleUser, request.params.service);
    return reply.view('service.njk', {
      title: s.name,
      service: { name: s.name, version: s.version, description: s.description },
      methods: s.methods.map((m) => ({ name: m.name, description: m.description, flags: flagsOf(m), params: m.params.map((p) => p.name) })),
      sidebar: methodList(s),
    });
  });

  app.get<Target>('/services/:service/:method', async (request, reply) => {
    const { service, method: name } = request.params;
    const s = await describeOne(client, request.consoleUser, service);
    const m = s.methods.find((x) => x.name === name);
    if (m === undefined) throw notFound(`${service} has no method "${name}"; it has ${s.methods.map((x) => x.name).join(', ')}`);
    const args = sampleArgs(m);
    // Set by the console's shell; a page registered on its own (a test harness) documents for this origin, with keys.
    const settings = app.consoleSettings ?? { auth: true };
    const url = gatewayUrlOf(settings, request);
    const withKey = settings.auth || (m.access !== undefined && m.access.length > 0);
    return reply.view('method.njk', {
      title: `${s.name}.${m.name}`,
      service: { name: s.name, version: s.version, description: s.description },
      method: { name: m.name, description: m.description },
      flags: flagsOf(m),
      params: paramRows(m.params),
      result: resultRows(m.result),
      examples: m.examples.map((e) => ({ title: e.title ?? '', description: e.description ?? '', args: JSON.stringify(e.args, null, 2), result: e.result === undefined ? '' : JSON.stringify(e.result, null, 2) })),
      snippets: snippets({ url, service: s.name, method: m.name, params: m.params, variadic: m.variadic, args, withKey }),
      fields: formFields(m.params, args, m.sensitiveParams),
      // For the page's script: the schema the form is validated with, as JSON in a <script type="application/json">.
      schema: JSON.stringify(paramsSchema(m.params)).replace(/</g, '\\u003c'),
      sidebar: methodList(s, m.name),
    });
  });
};
