import { defineService, method, Type } from '@junction/core';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { Gate, testServices } from '../../testing/services';
import { crew, CREW_VIEWS } from '../../testing/view-services';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const HTML = 'text/html; charset=utf-8';

describe('HTML views', () => {
  let node: Embedded;
  const gate = new Gate();

  beforeAll(async () => {
    const { slow } = testServices(gate);
    node = await startEmbedded({ services: [crew, slow] });
  });
  afterAll(async () => {
    gate.open();
    await node.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => node.app.inject({ method: 'GET', url, headers });
  // The text of the page's <main>, to keep assertions off the navigation.
  const main = (body: string) => body.slice(body.indexOf('<main>'), body.indexOf('</main>'));

  describe('GET /view/:service/:method with a template of its own', () => {
    it("renders the method's template inside the layout, with the query coerced by the schema", async () => {
      const res = await get('/view/crew/roster?team=fx&size=1');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(HTML);
      expect(res.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(res.body).toContain('<title>crew.roster · Junction</title>');
      expect(res.body).toContain('<link rel="stylesheet" href="/view/junction.css">');
      expect(res.body).toContain('<h1 id="heading">Roster of fx</h1>');
      // size=1 arrived as the integer 1: one member, through the relative include ./member.njk.
      expect(main(res.body).match(/class="member"/g)).toHaveLength(1);
      expect(res.body).toContain('<li class="member">Ann (lead)</li>');
    });

    it('escapes every value: a name that is a script shows as text', async () => {
      const res = await get('/view/crew/roster?team=%3Cb%3Ebold%3C%2Fb%3E');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<li class="member">&lt;script&gt;alert(1)&lt;/script&gt; (of &lt;b&gt;bold&lt;/b&gt;)</li>');
      expect(res.body).toContain('Roster of &lt;b&gt;bold&lt;/b&gt;');
      expect(res.body).not.toContain('<script>');
      expect(res.body).not.toContain('<b>bold');
    });

    it("links the service's other safe views, carrying the args each one takes", async () => {
      const res = await get('/view/crew/roster?team=fx&size=1');
      const links = /<p id="views">(.*)<\/p>/.exec(res.body)![1];
      expect(links).toBe(
        'roster=/view/crew/roster?team=fx&amp;size=1;members=/view/crew/members;member=/view/crew/member;count=/view/crew/count;note=/view/crew/note;broken=/view/crew/broken;crash=/view/crew/crash;',
      );
      expect(res.body).toContain('<a href="/view/crew" title="People of a team, for the HTML view tests." aria-current="page">crew</a>');
    });

    it('takes the empty fields of a submitted form as not given', async () => {
      const res = await get('/view/crew/roster?team=fx&size=');
      expect(res.statusCode).toBe(200);
      expect(main(res.body).match(/class="member"/g)).toHaveLength(2);
    });
  });

  describe('GET /view/:service/:method without a template: the generic views', () => {
    it('shows a list of records as a table: the union of their keys as columns, nested values as compact JSON', async () => {
      const res = await get('/view/crew/members');
      expect(res.statusCode).toBe(200);
      const page = main(res.body);
      expect(page).toContain('<thead><tr><th scope="col">name</th><th scope="col">role</th><th scope="col">seat</th><th scope="col">tags</th></tr></thead>');
      expect(page).toContain('<tr><td>Ann</td><td>lead</td><td>1</td><td></td></tr>');
      expect(page).toContain('<tr><td>Bo</td><td>&lt;b&gt;comp&lt;/b&gt;</td><td></td><td>[&quot;nuke&quot;,&quot;houdini&quot;]</td></tr>');
      expect(page).toContain('<strong>2</strong> rows');
      expect(page).toContain('<a href="/api/crew/members">as JSON</a>');
    });

    it("shows an empty list as an empty table with the columns of the result schema's items", async () => {
      const page = main((await get('/view/crew/members?empty=true')).body);
      expect(page).toContain('<th scope="col">name</th><th scope="col">role</th><th scope="col">seat</th><th scope="col">tags</th>');
      expect(page).toContain('<td colspan="4">No rows.</td>');
    });

    it('shows a record as a definition list', async () => {
      const page = main((await get('/view/crew/member?name=Cy')).body);
      expect(page).toContain('<dl class="record">');
      expect(page).toContain('<dt>name</dt><dd>Cy</dd>');
      expect(page).toContain('<dt>role</dt><dd>&lt;i&gt;guest&lt;/i&gt;</dd>');
      expect(page).toContain('<dt>tags</dt><dd>[&quot;a&quot;,&quot;b&quot;]</dd>');
    });

    it('shows anything else as indented JSON, escaped', async () => {
      expect(main((await get('/view/crew/count?of=a&of=b')).body)).toContain('<pre class="json">2</pre>');
      const note = main((await get('/view/crew/note')).body);
      expect(note).toContain('<pre class="json">&quot;&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;</pre>');
    });

    it('offers a GET form over the params, holding the current values', async () => {
      const page = main((await get('/view/crew/member?name=Cy')).body);
      expect(page).toContain('<form class="filters" method="get" action="/view/crew/member">');
      expect(page).toMatch(/<input name="name" value="Cy"\s+required>/);
    });
  });

  describe('errors, as HTML pages at the status of their code', () => {
    it.each([
      ['a query value the schema cannot read', '/view/crew/roster?team=fx&size=many', 400, 'INVALID_PARAMS', 'query param &quot;size&quot; must be an integer, got &quot;many&quot;'],
      ['args that break the schema', '/view/crew/roster?team=fx&size=-1', 400, 'INVALID_PARAMS', '/size must be &gt;= 0'],
      ['a missing required param', '/view/crew/roster', 400, 'INVALID_PARAMS', 'team'],
      ['an unknown method', '/view/crew/fire', 404, 'METHOD_NOT_FOUND', 'service &quot;crew&quot; has no method &quot;fire&quot;'],
      ['an unknown service', '/view/nope/list', 404, 'METHOD_NOT_FOUND', 'no service named &quot;nope&quot;'],
      ["a handler's refusal", '/view/crew/member?name=nobody', 422, 'SERVICE_ERROR', 'no member named nobody'],
      ['a template that fails', '/view/crew/broken', 500, 'INTERNAL', 'the page&#39;s template could not be rendered: (crew/broken.njk)'],
      ['an unexpected failure', '/view/crew/crash', 500, 'INTERNAL', 'internal error in crew.crash'],
      ['a path that is no page', '/view/crew/roster/extra', 404, 'METHOD_NOT_FOUND', 'no page at GET /view/crew/roster/extra'],
    ])('answers %s (%s) with %i', async (_what, url, status, code, message) => {
      const res = await get(url);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe(HTML);
      expect(res.body).toContain(`<title>${status} ${code} · Junction</title>`);
      expect(res.body).toContain(`<h1><span class="status">${status}</span> ${code}</h1>`);
      expect(res.body).toContain(message);
      expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(res.body).not.toContain('secret detail');
    });

    it('answers a method not marked safe with 405, Allow: POST and how to call it', async () => {
      const res = await get('/view/crew/hire?name=x');
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toContain('crew.hire is not marked safe to call by GET (it may change state), so it has no view; send POST /api/crew/hire with the args as a JSON body');
    });

    it('puts the schema problems in the details, and no stack anywhere', async () => {
      const res = await get('/view/crew/roster?team=fx&size=-1');
      expect(res.body).toContain('<details open><summary>Details</summary><pre>{');
      expect(res.body).toContain('&quot;path&quot;: &quot;/size&quot;');
      const broken = await get('/view/crew/broken');
      expect(broken.body).not.toContain('<details');
    });

    it('links the service from its error page only when the service exists', async () => {
      expect((await get('/view/crew/fire')).body).toContain('<a href="/view/crew">crew</a></p>');
      expect((await get('/view/nope/list')).body).not.toContain('href="/view/nope"');
    });

    it('answers a call past its deadline with 504', async () => {
      const res = await get('/view/slow/wait', { 'x-junction-timeout-ms': '50' });
      expect(res.statusCode).toBe(504);
      expect(res.body).toContain('<h1><span class="status">504</span> TIMEOUT</h1>');
    });
  });

  describe('indexes and the stylesheet', () => {
    it('lists the services at /view, and a service\'s safe methods at /view/:service', async () => {
      const all = await get('/view');
      expect(all.statusCode).toBe(200);
      expect(main(all.body)).toContain('<dt><a href="/view/crew">crew</a></dt><dd>People of a team, for the HTML view tests.</dd>');
      const one = main((await get('/view/crew')).body);
      expect(one).toContain('<dt><a href="/view/crew/roster">crew.roster</a></dt><dd>The members of a team, through its own template.</dd>');
      expect(one).not.toContain('crew.hire');
      expect((await get('/view/nope')).statusCode).toBe(404);
    });

    it('serves the stylesheet the layout links', async () => {
      const res = await get('/view/junction.css');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(res.body).toContain('.badge');
    });
  });

  describe('GET /api/:service/:method by Accept', () => {
    it.each([
      ["a browser's Accept", BROWSER, 'html'],
      ['text/html alone', 'text/html', 'html'],
      ["curl's */*", '*/*', 'json'],
      ['no Accept', undefined, 'json'],
      ['application/json', 'application/json', 'json'],
      ['a tie between JSON and HTML', 'application/json, text/html', 'json'],
      ['HTML ranked below JSON', 'text/html;q=0.5, application/json', 'json'],
    ])('answers %s (%s) with %s', async (_what, accept, kind) => {
      const res = await get('/api/crew/roster?team=fx', accept === undefined ? {} : { accept });
      expect(res.statusCode).toBe(200);
      expect(res.headers.vary).toBe('Accept');
      if (kind === 'html') {
        expect(res.headers['content-type']).toBe(HTML);
        expect(res.body).toContain('<h1 id="heading">Roster of fx</h1>');
        // The form of the page submits to the URL it is on.
        expect(res.body).not.toContain('action="/view/');
      } else {
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.json()).toEqual([
          { name: 'Ann', role: 'lead' },
          { name: '<script>alert(1)</script>', role: 'of fx' },
        ]);
      }
    });

    it('gives a browser HTML error pages too', async () => {
      const unsafe = await get('/api/crew/hire?name=x', { accept: BROWSER });
      expect(unsafe.statusCode).toBe(405);
      expect(unsafe.headers['content-type']).toBe(HTML);
      const unknown = await get('/api/crew/fire', { accept: BROWSER });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.body).toContain('METHOD_NOT_FOUND');
    });
  });
});

describe('HTML views behind API keys', () => {
  it('answers a browser without a key with a 401 page and WWW-Authenticate', async () => {
    const node = await startEmbedded({ services: [crew], gateway: { requireKey: true, apiKeys: [{ key: 'k1', identity: 'ann', roles: [] }] } });
    try {
      const res = await node.app.inject({ method: 'GET', url: '/view/crew/roster?team=fx' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toContain('UNAUTHENTICATED');
      const ok = await node.app.inject({ method: 'GET', url: '/view/crew/roster?team=fx', headers: { authorization: 'Bearer k1' } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await node.close();
    }
  });
});

describe('a service naming a template it does not have', () => {
  it('cannot be registered: the error names the service, the method and the path looked at', async () => {
    const lost = defineService({
      name: 'lost',
      version: '1.0.0',
      description: 'Names a template that is not there.',
      views: CREW_VIEWS,
      methods: { list: method({ description: 'Lists.', safe: true, template: 'list.njk', params: {}, result: Type.Array(Type.String()), handler: () => [] }) },
    });
    await expect(startEmbedded({ services: [lost] })).rejects.toThrow(`service "lost", method "list": template "list.njk" not found: looked for ${CREW_VIEWS}/list.njk`);
  });
});
