import { type GatewayConfig } from '@junction/core';
import { type ServiceCatalog } from '../catalog';
import { type Edge } from '../edge';

/** What each protocol slice is built from: the shared edge (trace, meta, queue), the one service catalog and the gateway's config. */
export interface ProtocolDeps {
  edge: Edge;
  catalog: ServiceCatalog;
  config: GatewayConfig;
}

export const JSON_UTF8 = 'application/json; charset=utf-8';

/** The service part of a `service.method` name; undefined when there is none. */
export function serviceOf(method: string): string | undefined {
  const dot = method.indexOf('.');
  return dot > 0 ? method.slice(0, dot) : undefined;
}
