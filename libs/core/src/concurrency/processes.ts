import { type ChildProcess, fork } from 'node:child_process';
import { JunctionError } from '../errors';
import { WorkQueue } from '../queue/work-queue';
import { type ConcurrencyHost, type ConcurrencyModule, type Job, type ProcessesConfig } from './concurrency';
import { guestEntry } from './isolated/entries';
import { HostLink } from './isolated/links';
import { type GuestMessage, type GuestSetup, type HostMessage } from './isolated/protocol';
import { outcomeValue, setupOf } from './isolated/setup';

interface Running {
  readonly job: Job;
  /** Answers the caller (a no-op once it has its TIMEOUT). */
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Frees the call's slot in the queue: only when the child is done with it, or gone. */
  finish(): void;
  killTimer?: NodeJS.Timeout;
}

interface Child {
  readonly proc: ChildProcess;
  readonly link: HostLink;
  ready: boolean;
  gone: boolean;
  /** Why this side ended it, if it did. */
  killedFor?: string;
  readonly running: Map<number, Running>;
  /** Tasks given before the child was ready; sent when it is. */
  readonly backlog: { task: number; running: Running }[];
}

const MAX_RESTART_DELAY_MS = 5_000;

/**
 * Runs handlers in a pool of child processes, for isolation: a handler that crashes its process,
 * leaks or hangs takes down only its child. A child that exits is replaced at once; the calls it
 * was running answer INTERNAL, saying so, and the others go on. A child that has not answered a
 * call `killGraceMs` past its deadline is killed and replaced (a busy loop cannot be interrupted
 * otherwise).
 */
export function createProcesses(config: ProcessesConfig, name: string, host: ConcurrencyHost): ConcurrencyModule {
  const setup: GuestSetup = setupOf(host, 'processes');
  const entry = guestEntry('process-entry');
  const queue = new WorkQueue(name, { maxInFlight: config.processes * config.maxInFlightPerProcess, maxWaiting: config.maxQueue });
  const children: Child[] = [];
  let nextTask = 1;
  let closing = false;
  // Consecutive children that died before they were ready: a broken module must not fork in a hot loop.
  let failedStarts = 0;

  const full = (job: Job) => `${host.service}.${job.method} (request ${job.task.request.id})`;

  function spawn(slot: number): void {
    const proc = fork(entry.file, [], {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: entry.tsEntry === undefined ? process.env : { ...process.env, JUNCTION_GUEST_TS_ENTRY: entry.tsEntry },
    });
    const child: Child = {
      proc,
      link: new HostLink(host, (m: HostMessage) => {
        if (proc.connected) proc.send(m);
      }),
      ready: false,
      gone: false,
      running: new Map(),
      backlog: [],
    };
    children[slot] = child;
    proc.send({ t: 'setup', setup });
    proc.on('message', (m: GuestMessage) => {
      if (m.t === 'ready') {
        child.ready = true;
        failedStarts = 0;
        for (const { task, running } of child.backlog.splice(0)) send(child, task, running);
      } else if (m.t === 'done') {
        const running = child.running.get(m.task);
        if (running === undefined) return;
        settle(child, m.task);
        try {
          running.resolve(outcomeValue(m.outcome));
        } catch (err) {
          running.reject(err);
        }
      } else {
        child.link.receive(m);
      }
    });
    proc.on('error', (err) => host.log.error({ err, service: host.service, pid: proc.pid }, 'child process error'));
    proc.on('exit', (code, signal) => onExit(slot, child, code, signal));
  }

  function onExit(slot: number, child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    child.gone = true;
    child.link.close();
    const how = child.killedFor ?? (signal !== null ? `was killed by ${signal}` : `exited with code ${code}`);
    const started = child.ready;
    for (const b of child.backlog) child.running.set(b.task, b.running);
    for (const [task, running] of [...child.running]) {
      settle(child, task);
      const what = started ? 'was running in' : 'was waiting for';
      running.reject(new JunctionError('INTERNAL', `${full(running.job)} ${what} child process ${child.proc.pid} of ${host.service}, which ${how}${started ? '' : ' before it was ready (its stderr says why)'}; the child is being replaced`));
    }
    child.backlog.length = 0;
    if (closing) return;
    host.log[started ? 'warn' : 'error']({ service: host.service, pid: child.proc.pid, code, signal }, `child process ${how}; starting another`);
    if (!started) failedStarts++;
    const delay = failedStarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (failedStarts - 1));
    setTimeout(() => {
      if (!closing) spawn(slot);
    }, delay).unref();
  }

  function send(child: Child, task: number, running: Running): void {
    child.running.set(task, running);
    child.proc.send({ t: 'run', task, job: running.job.task } satisfies HostMessage);
  }

  function settle(child: Child, task: number): void {
    const running = child.running.get(task);
    if (running === undefined) return;
    if (running.killTimer !== undefined) clearTimeout(running.killTimer);
    child.running.delete(task);
    running.finish();
  }

  /** The live child with the fewest calls; the queue in front admits no more than the children's slots. */
  function pick(): Child | undefined {
    let best: Child | undefined;
    for (const c of children) {
      if (c === undefined || c.gone) continue;
      const load = c.running.size + c.backlog.length;
      if (best === undefined || load < best.running.size + best.backlog.length) best = c;
    }
    return best;
  }

  /**
   * Hands the job to a child. The caller is answered by `answer`, at the latest at the deadline
   * (TIMEOUT); the returned promise, which holds the job's queue slot, settles only when the
   * child is done with it or gone, so a busy child is never given more than its share.
   */
  function dispatch(job: Job, answer: Pick<Running, 'resolve' | 'reject'>): Promise<void> {
    return new Promise((finish) => {
      const child = pick();
      if (child === undefined) {
        answer.reject(new JunctionError('UNAVAILABLE', `${full(job)}: no child process of ${host.service} is running (they are restarting); retry shortly`));
        return finish();
      }
      const task = nextTask++;
      const onDeadline = () => answer.reject(job.signal.reason);
      job.signal.signal.addEventListener('abort', onDeadline, { once: true });
      const running: Running = {
        job,
        ...answer,
        finish: () => {
          job.signal.signal.removeEventListener('abort', onDeadline);
          finish();
        },
      };
      // Past the deadline the caller has its TIMEOUT; the child gets a grace period to notice,
      // then is replaced if it is still busy with the call.
      running.killTimer = setTimeout(() => {
        if (!child.running.has(task) || child.gone) return;
        child.killedFor = `did not answer ${full(job)} within ${config.killGraceMs} ms after its deadline and was killed`;
        child.proc.kill('SIGKILL');
      }, Math.max(0, job.task.deadline - Date.now()) + config.killGraceMs);
      running.killTimer.unref();
      if (child.ready) send(child, task, running);
      else child.backlog.push({ task, running });
    });
  }

  for (let i = 0; i < config.processes; i++) spawn(i);

  return {
    type: 'processes',
    run: <T>(job: Job<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.run(() => dispatch(job, { resolve: resolve as (v: unknown) => void, reject }), job.signal).catch(reject);
      }),
    stats: () => queue.stats(),
    drain: () => queue.drain(),
    close: async () => {
      closing = true;
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.gone || c.proc.exitCode !== null) return resolve();
              c.proc.once('exit', () => resolve());
              c.proc.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
