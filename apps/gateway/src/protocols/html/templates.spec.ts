import { type Args, type CallMeta, type CallReply, errors } from '@junction/core';
import { Templates } from './templates';

const meta: CallMeta = { attempt: 1 };

/** A `system.views` that answers from a table the test changes, counting its calls. */
function fakeViews(sources: Record<string, Record<string, string>>) {
  const calls: string[] = [];
  let failNext = false;
  const invoke = async (service: string, method: string, args: Args): Promise<CallReply> => {
    const name = (args as { service: string }).service;
    calls.push(`${service}.${method}(${name})`);
    if (failNext) {
      failNext = false;
      return { id: 'x', error: errors.unavailable('system.views', 'no worker').toWire() };
    }
    return sources[name] === undefined ? { id: 'x', error: errors.methodNotFound(name).toWire() } : { id: 'x', result: { ...sources[name] } };
  };
  return { invoke, calls, failOnce: () => (failNext = true) };
}

describe('Templates', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  const render = (t: Templates, name: string, context: object) => t.env.render(name, context);

  it("fetches a service's templates once per ttl, one call for concurrent lookups", async () => {
    const views = fakeViews({ crew: { 'a.njk': 'A {{ x }}' } });
    const t = new Templates({ invoke: views.invoke, ttlMs: 100, now: clock });
    const names = await Promise.all([t.name('crew', 'a.njk', meta), t.name('crew', 'a.njk', meta)]);
    expect(names).toEqual(['crew/a.njk', 'crew/a.njk']);
    expect(render(t, 'crew/a.njk', { x: '<i>' })).toBe('A &lt;i&gt;');
    now += 99;
    await t.name('crew', 'a.njk', meta);
    expect(views.calls).toEqual(['system.views(crew)']);
    now += 1;
    await t.name('crew', 'a.njk', meta);
    expect(views.calls).toHaveLength(2);
  });

  it('renders the new source after a refresh brings a changed template', async () => {
    const table = { crew: { 'a.njk': 'old' } };
    const t = new Templates({ invoke: fakeViews(table).invoke, ttlMs: 100, now: clock });
    expect(render(t, await t.name('crew', 'a.njk', meta), {})).toBe('old');
    table.crew['a.njk'] = 'new';
    now += 100;
    expect(render(t, await t.name('crew', 'a.njk', meta), {})).toBe('new');
  });

  it('keeps no failed fetch: the next lookup asks again', async () => {
    const views = fakeViews({ crew: { 'a.njk': 'A' } });
    const t = new Templates({ invoke: views.invoke, now: clock });
    views.failOnce();
    await expect(t.name('crew', 'a.njk', meta)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(t.name('crew', 'a.njk', meta)).resolves.toBe('crew/a.njk');
    expect(views.calls).toHaveLength(2);
  });

  it("lets a service template extend the gateway's layout and include its own files by relative name", async () => {
    const t = new Templates({
      invoke: fakeViews({ crew: { 'page.njk': '{% extends "layout.njk" %}{% block content %}{% include "./parts/row.njk" %}{% endblock %}', 'parts/row.njk': '<p id="row">{{ x }}</p>' } }).invoke,
      now: clock,
    });
    const html = render(t, await t.name('crew', 'page.njk', meta), { title: 'T', services: [], views: [], x: 'y' });
    expect(html).toContain('<title>T · Junction</title>');
    expect(html).toContain('<p id="row">y</p>');
  });

  it('finds only templates of services it has fetched, and no file outside the folders by a relative name', async () => {
    const t = new Templates({
      invoke: fakeViews({ crew: { 'a.njk': '{% include "../../../../../../../../etc/hostname" %}' }, other: { 'secret.njk': 'secret' } }).invoke,
      now: clock,
    });
    expect(() => render(t, 'other/secret.njk', {})).toThrow('template not found: other/secret.njk');
    await t.name('crew', 'a.njk', meta);
    expect(() => render(t, 'crew/a.njk', {})).toThrow('template not found');
  });
});
