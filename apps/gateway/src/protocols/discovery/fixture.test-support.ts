import { createSqliteDb, type GatewayConfig, type ServiceDefinition } from '@junction/core';
import { service as dailies } from '@junction/service-dailies';
import { service as render } from '@junction/service-render';
import { service as shots } from '@junction/service-shots';
import { service as validator1 } from '@junction/service-validator1';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { testServices } from '../../testing/services';
import { hostile } from './hostile.test-support';

/** The example services beside calc and system (which every embedded node hosts). */
export const EXAMPLE_SERVICES: readonly ServiceDefinition[] = [shots, dailies, render, validator1];

/** The two sets each document is checked for: the real example services, and schemas chosen to be hard to document. */
export const SETS: readonly [string, readonly ServiceDefinition[]][] = [
  ['the example services', EXAMPLE_SERVICES],
  ['a hostile definition', [hostile, testServices().vault]],
];

/** A whole node hosting `services` (shots on an in-memory SQLite when among them). */
export function startDocumented(services: readonly ServiceDefinition[], gateway: Partial<GatewayConfig> = {}): Promise<Embedded> {
  const db = services.some((s) => s.requires.includes('db')) ? createSqliteDb({ type: 'sqlite', path: ':memory:' }) : undefined;
  return startEmbedded({ services, db, gateway });
}

export async function getJson<T>(node: Embedded, url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await node.app.inject({ method: 'GET', url, headers });
  if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json<T>();
}
