import { type MessagePort, workerData } from 'node:worker_threads';
import { createGuestRuntime, type GuestRuntime } from './guest';
import { GuestLink } from './links';
import { type GuestMessage, type GuestOutcome, type GuestSetup, type GuestTask, type HostMessage } from './protocol';

/** A piscina task: the call, and a port to the host for its `ctx.call`, `ctx.infra.db` and `ctx.log`. */
export interface ThreadTask {
  task: GuestTask;
  port: MessagePort;
}

let runtime: GuestRuntime | undefined;
// One task at a time per thread (the pool's concurrentTasksPerWorker is 1): the current task's link.
let current: GuestLink | undefined;

const linkNow = (): GuestLink => {
  if (current === undefined) throw new Error('no task is running in this thread');
  return current;
};

export default async function runThreadTask({ task, port }: ThreadTask): Promise<GuestOutcome> {
  const link = new GuestLink((m) => port.postMessage(m));
  port.on('message', (m: HostMessage) => link.receive(m));
  current = link;
  try {
    runtime ??= createGuestRuntime((workerData as { setup: GuestSetup }).setup, linkNow);
    return await runtime.run(task);
  } finally {
    link.close(new Error('the task ended'));
    port.postMessage({ t: 'end' } satisfies GuestMessage);
    port.close();
  }
}
