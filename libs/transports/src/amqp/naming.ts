import { type AmqpTransportConfig } from '@junction/core';

/** RabbitMQ's direct reply-to pseudo-queue: replies come straight back on the publishing channel. */
export const REPLY_TO = 'amq.rabbitmq.reply-to';

/** The dead-letter queue keeps at most this many messages (the oldest are dropped first). */
export const DEAD_LETTER_MAX_LENGTH = 100_000;

export function serviceQueue(config: Pick<AmqpTransportConfig, 'queuePrefix'>, service: string): string {
  return `${config.queuePrefix}${service}`;
}

/**
 * The one declaration of a service queue. Every process that declares the queue must pass exactly
 * these arguments: RabbitMQ refuses (406 PRECONDITION_FAILED) a declaration that differs from the
 * queue's. Only servers declare service queues; clients never do.
 *
 * No broker dead-lettering: requests that expire in the queue (their caller already got TIMEOUT)
 * would flood the dead-letter queue and push real poison out of it. The worker moves poison there
 * itself.
 */
export const serviceQueueOptions = { durable: true };

export const deadLetterQueueOptions = { durable: true, arguments: { 'x-max-length': DEAD_LETTER_MAX_LENGTH } };

/** `host:port` of the broker: what log lines and error messages name, never the credentials. */
export function brokerAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
  } catch {
    return '(unparsable broker url)';
  }
}

/** The url with the heartbeat from config (amqplib reads it from the query string). */
export function urlWithHeartbeat(url: string, heartbeatSeconds: number): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeatSeconds));
  return u.toString();
}
