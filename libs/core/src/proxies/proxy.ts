import { type CallReply, type CallRequest } from '../envelope';
import { type Logger } from '../logging';
import { type Provider } from '../provider/provider';

/** Takes a request, returns its reply. Never throws: failures are error replies. */
export type Handler = (req: CallRequest) => Promise<CallReply>;

/** A link of a proxy chain: wraps the rest of the chain. Applied once, when the chain is compiled. */
export type Link = (next: Handler) => Handler;

/** What proxies may use, handed over when the chain is compiled. */
export interface ProxyDeps {
  /** The provider of this process, for the `local` terminal. */
  provider?: Provider;
  /** Clients of the configured transports by name, for the `remote` terminal. */
  transports: ReadonlyMap<string, { call: Handler }>;
  log: Logger;
}

export interface LocalProxyConfig {
  type: 'local';
}

export interface RemoteProxyConfig {
  type: 'remote';
  /** A key of the config's `transports`. */
  transport: string;
}

export type TerminalProxyConfig = LocalProxyConfig | RemoteProxyConfig;

export interface RouteProxyConfig {
  type: 'route';
  /** Service name to terminal; `'*'` is every other service. */
  routes: Record<string, TerminalProxyConfig>;
}

export interface DeadlineProxyConfig {
  type: 'deadline';
  /** The deadline given to requests that arrive without one. */
  defaultMs: number;
  /** The furthest deadline a caller may ask for. */
  maxMs?: number;
}

export type ProxyConfig = TerminalProxyConfig | RouteProxyConfig | DeadlineProxyConfig;

export type ProxyFactory =
  | { kind: 'link'; create(config: ProxyConfig, deps: ProxyDeps): Link }
  | { kind: 'terminal'; create(config: ProxyConfig, deps: ProxyDeps): Handler };
