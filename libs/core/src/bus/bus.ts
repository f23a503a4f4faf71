/**
 * A message every node of a cluster hears: the channel level changes and heartbeats travel on.
 * Plain JSON data, since a broker carries it between processes.
 */
export type BusMessage = Readonly<Record<string, unknown>>;

export type BusListener = (message: BusMessage) => void;

/**
 * Broadcast between the nodes of a deployment: a message published on a topic reaches every
 * subscriber of that topic on every node, the publisher's own included. At-most-once and
 * unordered between publishers: what travels on it (commands with their time, heartbeats) must
 * tolerate a lost or late message.
 */
export interface Bus {
  readonly type: string;
  /** Connects (a broker bus keeps reconnecting in the background when the broker is away). */
  start(): Promise<void>;
  /** Resolves once handed to the broker (or to this process's subscribers); rejects while disconnected. */
  publish(topic: string, message: BusMessage): Promise<void>;
  /** Returns the function that unsubscribes. A listener that throws is logged and kept. */
  subscribe(topic: string, listener: BusListener): () => void;
  /** True while messages can be published and received. */
  ready(): boolean;
  close(): Promise<void>;
}
