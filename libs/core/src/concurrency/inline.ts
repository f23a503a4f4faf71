import { WorkQueue } from '../queue/work-queue';
import { type ConcurrencyModule, type InlineConfig, type Job } from './concurrency';

/** Runs handlers on the event loop, at most `maxInFlight` at once: for I/O-bound services. */
export function createInline(config: InlineConfig, name: string): ConcurrencyModule {
  const queue = new WorkQueue(name, { maxInFlight: config.maxInFlight, maxWaiting: config.maxQueue });
  return {
    type: 'inline',
    run: <T>(job: Job<T>) => queue.run(job.execute, job.signal),
    stats: () => queue.stats(),
    drain: () => queue.drain(),
    // Nothing to release on the event loop; waiting is drain()'s job, bounded by its caller.
    close: async () => undefined,
  };
}
