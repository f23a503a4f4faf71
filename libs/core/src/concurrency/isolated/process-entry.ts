import { createGuestRuntime, type GuestRuntime } from './guest';
import { GuestLink } from './links';
import { type GuestMessage, type GuestSetup, type HostMessage } from './protocol';

/**
 * A child process of the `processes` module: loads one service, then runs the tasks its host
 * sends, several at once if the host sends several. Ends when the host goes away.
 */
function main(): void {
  const send = (m: GuestMessage) => {
    // The channel closes when the host dies or kills this child; what was being sent is moot.
    if (process.connected) process.send?.(m);
  };
  const link = new GuestLink(send);
  let runtime: GuestRuntime | undefined;
  process.on('message', (m: HostMessage | { t: 'setup'; setup: GuestSetup }) => {
    if (m.t === 'setup') {
      runtime = createGuestRuntime(m.setup, () => link);
      send({ t: 'ready' });
    } else if (m.t === 'run') {
      if (runtime === undefined) throw new Error('a task arrived before the setup');
      void runtime.run(m.job).then((outcome) => send({ t: 'done', task: m.task, outcome }));
    } else {
      link.receive(m);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main();
