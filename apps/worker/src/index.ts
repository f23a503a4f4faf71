export { createWorker, type Worker, type WorkerOptions } from './worker';
export { createHealthServer, queueMetrics } from './health';
export { loadServices } from './load-services';
