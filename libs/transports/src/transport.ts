import { type Handler, type Logger, type QueueStats } from '@junction/core';

/** What a transport can promise; the worker and the gateway read this instead of sniffing classes. */
export interface TransportCapabilities {
  /** Requests survive the death of the process that serves them (a broker keeps them). */
  readonly durable: boolean;
  /** A request is acknowledged only after its reply is sent: at-least-once delivery. */
  readonly ack: boolean;
  /** Who spreads requests over several servers of one service. */
  readonly balancing: 'none' | 'broker' | 'client';
  /** Crosses a process boundary (or pretends to, byte for byte). */
  readonly serializes: boolean;
}

/** The client side: a proxy's `remote` terminal. */
export interface TransportClient {
  /** Sends one request and resolves with its reply; never rejects (failures are error replies). */
  readonly call: Handler;
}

export interface ServeOptions {
  /**
   * How many requests of `service` the handler runs at once (its concurrency bound). A server
   * that pulls from a shared queue holds no more than this, so a busy worker leaves the rest on
   * the broker for idle ones instead of hoarding them.
   */
  capacity?: (service: string) => number | undefined;
}

/** The server side: feeds the requests of some services to a handler (a provider) and returns its replies. */
export interface TransportServer {
  serve(services: readonly string[], handler: Handler, opts?: ServeOptions): Promise<void>;
  /** Stops taking new requests, waits for those in flight to be answered. */
  drain(): Promise<void>;
}

export interface Transport extends TransportClient, TransportServer {
  readonly type: string;
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  start(): Promise<void>;
  /** Drains, then releases connections. Never throws. */
  close(): Promise<void>;
  /**
   * The urgent stop, for when draining ran out of time: drops connections at once, without waiting
   * for requests in flight. A durable transport's broker gives the requests it held and had not
   * acknowledged to another server. Never throws.
   */
  kill(): Promise<void>;
  /** Connected and able to carry calls (for `/readyz`). */
  ready(): boolean;
  /** Its hand-offs as bounded queues (calls out waiting for replies, requests in being served), for metrics. */
  queues(): QueueStats[];
}

export interface TransportDeps {
  /** The transport's name in config (`transports.<name>`). */
  name: string;
  log: Logger;
}
