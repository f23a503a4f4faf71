import type { ConsolePage } from '../page';
import { logging } from './logging';
import { method } from './method';
import { metrics } from './metrics';
import { nodes } from './nodes';
import { services } from './services';
import { traces } from './traces';
import { tryIt } from './try-it';

/** Every page of the console, in the order of its navigation bar. */
export const PAGES: readonly ConsolePage[] = [services, method, tryIt, traces, metrics, logging, nodes];
