import type * as Zmq from 'zeromq';

export type ZeromqModule = typeof Zmq;

let loaded: Promise<ZeromqModule> | undefined;

/**
 * The zeromq package, loaded when a zeromq transport first starts or serves: its native addon stays
 * out of every process that does not use it, and a machine where it cannot load fails with a
 * message naming the transport rather than on every `import '@junction/transports'`.
 */
export function loadZeromq(what: string): Promise<ZeromqModule> {
  loaded ??= import('zeromq');
  return loaded.catch((err: unknown) => {
    loaded = undefined;
    throw new Error(`${what} cannot load the zeromq package's native addon (${(err as Error).message}); \`npm ls zeromq\` should list zeromq@6 with a prebuilt binary for this platform`, { cause: err });
  });
}

/** `tcp://host:port` for libzmq (brackets around an IPv6 host; `*` for any free port). */
export function endpoint(host: string, port: number | '*'): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
