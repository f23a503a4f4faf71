export interface HostPort {
  host: string;
  port: number;
}

/**
 * `127.0.0.1:7001`, `worker-2.farm:7001` or `[::1]:7001` as host and port. The config schema has
 * checked the shape already; this names the transport and the value when the port is out of range.
 */
export function parseHostPort(text: string, what: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):([0-9]{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) {
    throw new Error(`${what}: "connect" must be host:port with a port from 1 to 65535 (e.g. 127.0.0.1:7001 or [::1]:7001), got "${text}"`);
  }
  return { host: m[1] ?? m[2], port };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
