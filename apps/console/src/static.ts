import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type FastifyInstance } from 'fastify';

/** The console's stylesheet and scripts: `<package>/public`, served at `${prefix}/static/`. */
export const CONSOLE_PUBLIC = join(__dirname, '..', 'public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Asset {
  type: string;
  body: Buffer;
}

/** Every file of `dir` with a known type, by its path below `dir` ('/'-separated). */
function readAssets(dir: string, below = ''): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) {
      for (const [k, v] of readAssets(file, `${below}${name}/`)) out.set(k, v);
      continue;
    }
    const type = TYPES[extname(name)];
    if (type !== undefined) out.set(`${below}${name}`, { type, body: readFileSync(file) });
  }
  return out;
}

/**
 * `GET /static/<file>`: the files of `public/`, read once at start (a handful of small files), and
 * `vendor/ajv.js`, the browser build of Ajv (package ajv-dist) that validates try-it forms with the
 * same JSON Schema as the provider. Nothing outside that list can be asked for.
 */
export function staticRoutes(app: FastifyInstance): void {
  const assets = readAssets(CONSOLE_PUBLIC);
  assets.set('vendor/ajv.js', { type: TYPES['.js'], body: readFileSync(require.resolve('ajv-dist/dist/ajv7.min.js')) });
  app.get<{ Params: { '*': string } }>('/static/*', (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('no such file');
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
}
