import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { newRequestId } from '../envelope';
import { checkService, defineService, method, type MethodFlags } from '../service';
import { createSystemService } from '../system';
import { Provider } from './provider';
import { readViews } from './views';

const listing = (flags: MethodFlags = {}) =>
  method({ description: 'Lists.', safe: true, ...flags, params: {}, result: Type.Array(Type.String()), handler: () => ['a'] });

describe('service views', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'junction-views-'));
    writeFileSync(join(dir, 'list.njk'), '{% extends "layout.njk" %}');
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'row.njk'), '<tr></tr>');
    writeFileSync(join(dir, 'notes.txt'), 'not a template');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const service = (views: string | undefined, template = 'list.njk', flags: MethodFlags = {}) =>
    defineService({ name: 'shelf', version: '1.0.0', description: 'Shelves.', ...(views === undefined ? {} : { views }), methods: { list: listing({ template, ...flags }) } });

  it('reads every .njk file below the folder once, by forward-slash path', () => {
    expect(readViews(service(dir))).toEqual({ sources: { 'list.njk': '{% extends "layout.njk" %}', 'parts/row.njk': '<tr></tr>' }, problems: [] });
  });

  it('refuses to register a service whose method names a template that is not there, naming the path looked at', () => {
    expect(() => new Provider().register(service(dir, 'shot-list.njk'))).toThrow(
      `cannot register service "shelf":\n  - service "shelf", method "list": template "shot-list.njk" not found: looked for ${join(dir, 'shot-list.njk')}`,
    );
  });

  it('refuses a views folder that does not exist', () => {
    expect(() => new Provider().register(service(join(dir, 'nope')))).toThrow(`service "shelf": views folder ${join(dir, 'nope')} does not exist; create it or fix views in defineService()`);
  });

  it('checks the definition alone: a relative folder, a template without a folder, on an unsafe method, or outside the folder', () => {
    expect(checkService(service('views'))).toEqual([
      `service "shelf": views must be the absolute path of its templates folder, like path.join(__dirname, '..', 'views'), got "views"`,
    ]);
    expect(checkService(service(undefined))).toEqual([
      `service "shelf", method "list": template "list.njk" needs the service's views folder: add views: path.join(__dirname, '..', 'views') to defineService()`,
    ]);
    expect(checkService(service(dir, 'list.njk', { safe: false }))).toEqual([
      `service "shelf", method "list": template "list.njk" is rendered by GET /view/..., which only calls methods marked safe: add safe: true (or drop the template)`,
    ]);
    for (const bad of ['../secret.njk', '/etc/list.njk', 'list.html', 'parts/../list.njk']) {
      expect(checkService(service(dir, bad))).toEqual([expect.stringContaining(`template must name a .njk file inside the service's views folder by a relative path, like "shot-list.njk", got "${bad}"`)]);
    }
  });

  it('serves the sources read at registration through system.views, and {} for a service without views', async () => {
    const provider = new Provider();
    provider.register(service(dir));
    provider.register(defineService({ name: 'bare', version: '1.0.0', description: 'No views.', methods: { list: listing() } }));
    provider.register(createSystemService({ node: 'n1', provider }));
    // A later change on disk is not seen: the sources were read once.
    writeFileSync(join(dir, 'list.njk'), 'changed');
    const views = (service: string) => provider.handle({ id: newRequestId(), service: 'system', method: 'views', args: { service }, meta: { attempt: 1 } });
    expect((await views('shelf')).result).toEqual({ 'list.njk': '{% extends "layout.njk" %}', 'parts/row.njk': '<tr></tr>' });
    expect((await views('bare')).result).toEqual({});
    expect((await views('nope')).error).toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "nope" on node n1; system.describe lists those it hosts' });
    writeFileSync(join(dir, 'list.njk'), '{% extends "layout.njk" %}');
  });
});
