import { type Logger, silentLogger } from '../logging';
import { type Bus, type BusListener, type BusMessage } from './bus';

/**
 * The bus of one process (the embedded platform, tests): a message reaches this process's
 * subscribers, on a later turn of the event loop, as a broker's delivery would, and as a copy, so
 * that no subscriber sees another's changes.
 */
export function createMemoryBus(opts: { log?: Logger } = {}): Bus {
  const log = opts.log ?? silentLogger();
  const topics = new Map<string, Set<BusListener>>();
  let closed = false;
  return {
    type: 'memory',
    async start() {},
    async publish(topic, message) {
      if (closed) throw new Error(`memory bus: cannot publish on "${topic}" after close()`);
      const copy = structuredClone(message) as BusMessage;
      setImmediate(() => {
        for (const listener of topics.get(topic) ?? []) deliver(log, topic, listener, copy);
      });
    },
    subscribe(topic, listener) {
      let set = topics.get(topic);
      if (set === undefined) topics.set(topic, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    ready: () => !closed,
    async close() {
      closed = true;
      topics.clear();
    },
  };
}

/** Hands one message to one listener; a listener that throws must not stop the others. */
export function deliver(log: Logger, topic: string, listener: BusListener, message: BusMessage): void {
  try {
    listener(message);
  } catch (err) {
    log.error({ err, topic }, `a bus listener on "${topic}" failed; the message was dropped for it`);
  }
}
