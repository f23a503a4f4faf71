import { type RemoteProxyConfig } from '../config/schema';
import { openSpan } from '../tracing/open-span';
import { type ChainDeps, type Handler, type Terminal } from './proxy';

/** Terminal: sends the request over a transport to whichever process serves the service. */
export function createRemote(config: RemoteProxyConfig, deps: Pick<ChainDeps, 'transports' | 'tracer'>): Terminal {
  const transport = deps.transports.get(config.transport);
  if (transport === undefined) {
    throw new Error(`proxy "remote" names transport "${config.transport}", which is not configured; configured: ${[...deps.transports.keys()].join(', ') || '(none)'}`);
  }
  const label = `remote:${config.transport}`;
  const { tracer } = deps;
  if (tracer === undefined) return { call: transport.call, target: () => label };
  // A span from send to reply; the provider's span under it starts when a worker took the call,
  // so the gap between them is the time the request waited in the transport (queueWaitMs).
  const name = `send over ${label}`;
  // Frozen: the span's packer writes the JSON of a frozen attrs object once, not once a span.
  const attrs = Object.freeze({ transport: config.transport });
  // A then(), not an async function: one promise a traced call less. transport.call never rejects.
  const call: Handler = (req) => {
    const span = openSpan(tracer, req, 'transport');
    if (span === undefined) return transport.call(req);
    return transport.call(span.req).then((reply) => {
      span.end(name, reply, attrs);
      return reply;
    });
  };
  return { call, target: () => label };
}
