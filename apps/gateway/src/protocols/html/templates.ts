import { join, posix } from 'node:path';
import { type CallMeta, fromWire, type ViewSources } from '@junction/core';
import nunjucks from 'nunjucks';
import { type Invoke } from '../../edge';

/** The gateway's own templates (layout, generic views, error page): `<package>/views`, from `src/` and `dist/` alike. */
export const GATEWAY_VIEWS = join(__dirname, '..', '..', '..', 'views');

/**
 * Service templates, by `<service>/<path in its views folder>`, from memory. A service's templates
 * come from `system.views` because the gateway may not have the service's code (in a cluster,
 * workers host it), so there is no folder to read.
 */
class ServiceTemplateLoader extends nunjucks.Loader implements nunjucks.ILoader {
  readonly #byService = new Map<string, ViewSources>();

  getSource(name: string): nunjucks.LoaderSource {
    const slash = name.indexOf('/');
    const src = slash > 0 ? this.#byService.get(name.slice(0, slash))?.[name.slice(slash + 1)] : undefined;
    // null tells nunjucks to try the next loader, then to report "template not found: <name>".
    return (src === undefined ? null : { src, path: name, noCache: false }) as nunjucks.LoaderSource;
  }

  // Relative names (`{% include "./row.njk" %}`) stay inside the service's own names; the base
  // Loader would resolve them against the process's working directory.
  override resolve(from: string, to: string): string {
    return posix.join(posix.dirname(from), to);
  }

  set(service: string, sources: ViewSources): void {
    const before = this.#byService.get(service);
    this.#byService.set(service, sources);
    if (before === undefined || sameSources(before, sources)) return;
    // Drops the compiled templates nunjucks keeps, so a service's new templates show after a refresh.
    for (const file of new Set([...Object.keys(before), ...Object.keys(sources)])) this.emit('update', `${service}/${file}`);
  }
}

function sameSources(a: ViewSources, b: ViewSources): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export interface TemplatesOptions {
  invoke: Invoke;
  /** How long a service's templates are kept before `system.views` is asked again; as the catalog's 30 s. */
  ttlMs?: number;
  now?: () => number;
  /** Where the layout, generic views and error page are; the package's `views` folder by default. */
  gatewayViews?: string;
}

interface Entry {
  readonly expires: number;
  readonly ready: Promise<void>;
}

/**
 * The one nunjucks Environment of the gateway (autoescape on) and the service templates it renders:
 * fetched per service with `system.views` when a method with a template is first viewed, kept
 * `ttlMs`, shared by concurrent lookups; a failed fetch is not kept.
 */
export class Templates {
  readonly env: nunjucks.Environment;
  readonly #loader = new ServiceTemplateLoader();
  readonly #invoke: Invoke;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: TemplatesOptions) {
    this.#invoke = opts.invoke;
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
    const files = new nunjucks.FileSystemLoader(opts.gatewayViews ?? GATEWAY_VIEWS);
    // Ours first: nunjucks resolves a relative name (`./row.njk`) with each loader in turn and keeps
    // the result, so the file loader first would turn it into a path under the gateway's folder.
    this.env = new nunjucks.Environment([this.#loader, files], { autoescape: true, throwOnUndefined: false });
  }

  /** The name `reply.viewAsync` renders for `service`'s `file`, once its templates are loaded. */
  async name(service: string, file: string, meta: CallMeta): Promise<string> {
    const now = this.#now();
    let entry = this.#entries.get(service);
    if (entry === undefined || entry.expires <= now) {
      const fresh: Entry = { expires: now + this.#ttlMs, ready: this.#load(service, meta) };
      fresh.ready.catch(() => {
        if (this.#entries.get(service) === fresh) this.#entries.delete(service);
      });
      this.#entries.set(service, fresh);
      entry = fresh;
    }
    await entry.ready;
    return `${service}/${file}`;
  }

  async #load(service: string, meta: CallMeta): Promise<void> {
    const reply = await this.#invoke('system', 'views', { service }, meta);
    if (reply.error !== undefined) throw fromWire(reply.error);
    const sources = reply.result;
    if (typeof sources !== 'object' || sources === null || Array.isArray(sources)) throw new Error(`system.views for service "${service}" answered ${typeof sources}, not an object of sources`);
    this.#loader.set(service, sources as ViewSources);
  }
}
