import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { JunctionError } from '../errors';
import { WorkQueue } from '../queue/work-queue';
import { type ConcurrencyHost, type ConcurrencyModule, type Job, type ThreadsConfig } from './concurrency';
import { guestEntry } from './isolated/entries';
import { HostLink } from './isolated/links';
import { type GuestMessage, type GuestOutcome, type GuestSetup } from './isolated/protocol';
import { outcomeValue, setupOf } from './isolated/setup';

// Longest wait for a finished task's port to deliver its last messages.
const DRAIN_MS = 1_000;

/**
 * Runs handlers in a piscina pool of worker threads, for CPU-bound methods: the event loop stays
 * free for every other call. The service's module is loaded in each thread; `ctx.call`,
 * `ctx.infra.db` and `ctx.log` come back to this thread through a port given with each task.
 * Args and results cross by structured clone. At the deadline piscina aborts the task, ending its
 * thread if it is running (a CPU loop cannot be interrupted otherwise); the pool starts another.
 */
export function createThreads(config: ThreadsConfig, name: string, host: ConcurrencyHost): ConcurrencyModule {
  const setup: GuestSetup = setupOf(host, 'threads');
  const maxThreads = config.maxThreads ?? Math.max(1, availableParallelism());
  const minThreads = Math.min(config.minThreads, maxThreads);
  const entry = guestEntry('thread-entry');
  const pool = new Piscina({
    filename: entry.file,
    minThreads,
    maxThreads,
    idleTimeout: config.idleTimeoutMs,
    concurrentTasksPerWorker: 1,
    execArgv: entry.execArgv,
    workerData: { setup, tsEntry: entry.tsEntry },
  });
  // The pool's own queue never fills: this one, measured and bounded like every other, admits at most a thread's worth each.
  const queue = new WorkQueue(name, { maxInFlight: maxThreads, maxWaiting: config.maxQueue });
  const full = (job: Job) => `${host.service}.${job.method}`;

  const runInThread = async (job: Job): Promise<unknown> => {
    const { port1, port2 } = new MessageChannel();
    const link = new HostLink(host, (m) => port1.postMessage(m));
    // The task's last log lines may still be in the port when piscina has its result: they are
    // all in once the guest's `end` arrives (or the port closes, its thread gone).
    let ended: () => void = () => undefined;
    const drained = new Promise<void>((resolve) => {
      ended = resolve;
      port1.once('close', () => resolve());
    });
    port1.on('message', (m: GuestMessage) => (m.t === 'end' ? ended() : link.receive(m)));
    let outcome: GuestOutcome;
    try {
      outcome = (await pool.run({ task: job.task, port: port2 }, { transferList: [port2], signal: job.signal.signal })) as GuestOutcome;
    } catch (err) {
      if (job.signal.aborted) throw job.signal.reason;
      throw new JunctionError('INTERNAL', `${full(job)} (request ${job.task.request.id}) failed in its worker thread: ${(err as Error).message}`);
    } finally {
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      link.close();
      port1.close();
    }
    return outcomeValue(outcome);
  };

  return {
    type: 'threads',
    run: <T>(job: Job<T>) => queue.run(() => runInThread(job) as Promise<T>, job.signal),
    stats: () => queue.stats(),
    drain: () => queue.drain(),
    close: () => pool.destroy(),
  };
}
