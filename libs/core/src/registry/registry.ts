/**
 * One generic registry for every interchangeable family (transports, proxies, concurrency modules,
 * infrastructure kinds, codecs): implementations keyed by the `type` name used in config.
 */
export class Registry<Factory> {
  readonly #family: string;
  readonly #entries = new Map<string, Factory>();

  constructor(family: string, entries: Record<string, Factory> = {}) {
    this.#family = family;
    for (const [name, factory] of Object.entries(entries)) this.add(name, factory);
  }

  get family(): string {
    return this.#family;
  }

  add(name: string, factory: Factory): this {
    if (this.#entries.has(name)) throw new Error(`${this.#family} "${name}" is already registered; pick another name`);
    this.#entries.set(name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get(name: string): Factory {
    const factory = this.#entries.get(name);
    if (factory === undefined) {
      throw new Error(`unknown ${this.#family} "${name}"; known: ${this.names().join(', ') || '(none)'}`);
    }
    return factory;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }
}
