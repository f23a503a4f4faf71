export { createWorker, type Worker, type WorkerOptions } from './worker';
export { createHealthServer } from './health';
export { loadServices, type LoadedService } from './load-services';
