import { type ListedNode, type QueueStats } from '@junction/core';
import { type ConsoleUser, type PlatformClient } from '../page';
import { type Schema } from './schema';

/** A node as `management.nodes` tells it, a queue as `system.health` does: core's own types, read as JSON. */
export type { QueueStats };
export type NodeInfo = ListedNode;

/** A method as `system.describe` tells it (libs/core/src/provider/describe.ts), read as JSON. */
export interface MethodInfo {
  name: string;
  description: string;
  params: { name: string; schema: Schema; required: boolean; description?: string }[];
  result: Schema;
  examples: { title?: string; description?: string; args: Record<string, unknown>; result?: unknown }[];
  idempotent: boolean;
  safe: boolean;
  sensitive: boolean;
  sensitiveParams: string[];
  variadic: boolean;
  access?: string[];
  cache?: { ttlMs: number };
  template?: string;
  timeoutMs?: number;
}

export interface ServiceInfo {
  name: string;
  version: string;
  description: string;
  methods: MethodInfo[];
}



/** `system.health` of the node that answered. */
export interface HealthInfo {
  status: string;
  node: string;
  uptimeMs: number;
  services: string[];
  queues: QueueStats[];
}

export const describeAll = (client: PlatformClient, user: ConsoleUser | undefined) => client.call<ServiceInfo[]>('system.describe', {}, { user });

/** One service's description; rejects METHOD_NOT_FOUND for a name no node hosts. */
export async function describeOne(client: PlatformClient, user: ConsoleUser | undefined, service: string): Promise<ServiceInfo> {
  const [one] = await client.call<ServiceInfo[]>('system.describe', { service }, { user });
  return one;
}

/** An error a page shows for a name that is not there, as the platform says it. */
export function notFound(message: string): Error {
  return Object.assign(new Error(message), { code: 'METHOD_NOT_FOUND' });
}
