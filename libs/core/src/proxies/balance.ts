import { type BalanceProxyConfig, type LocalProxyConfig, type RemoteProxyConfig } from '../config/schema';
import { type CallReply, type CallRequest } from '../envelope';
import { type ChainDeps, type Terminal } from './proxy';

interface Member {
  readonly terminal: Terminal;
  inFlight: number;
  /** Passed over until then: it answered UNAVAILABLE (a worker address nobody listens on). */
  downUntil: number;
}

/**
 * Terminal: spreads calls over several terminals, one per worker address of a point-to-point
 * transport (tcp), `round-robin` or `least-in-flight`. A target that answers UNAVAILABLE is passed
 * over for `downMs` while another is up, so a dead worker does not take its share of the calls
 * (least-in-flight alone would favour it: it answers fastest). A broker (amqp) balances by itself
 * and needs none of this.
 */
export function createBalance(config: BalanceProxyConfig, deps: Pick<ChainDeps, 'clock'>, terminal: (c: LocalProxyConfig | RemoteProxyConfig) => Terminal): Terminal {
  const members: Member[] = config.targets.map((t) => ({ terminal: terminal(t), inFlight: 0, downUntil: -Infinity }));
  const label = `balance(${config.targets.map((t) => (t.type === 'local' ? 'local' : `remote:${t.transport}`)).join(',')})`;
  let turn = 0;

  const pick = (now: number): Member => {
    const n = members.length;
    let best: Member | undefined;
    // From this turn's member on, so that ties (and round-robin) rotate.
    for (let i = 0; i < n; i++) {
      const m = members[(turn + i) % n];
      if (m.downUntil > now) continue;
      if (config.strategy === 'round-robin') {
        turn = (turn + i + 1) % n;
        return m;
      }
      if (best === undefined || m.inFlight < best.inFlight) best = m;
    }
    turn = (turn + 1) % n;
    // Every one is down: try them in turn rather than refuse; one may be back.
    return best ?? members[turn];
  };

  return {
    target: () => label,
    async call(req: CallRequest): Promise<CallReply> {
      const m = pick(deps.clock.now());
      m.inFlight++;
      try {
        const reply = await m.terminal.call(req);
        if (reply.error?.code === 'UNAVAILABLE') m.downUntil = deps.clock.now() + config.downMs;
        else m.downUntil = -Infinity;
        return reply;
      } finally {
        m.inFlight--;
      }
    },
  };
}
