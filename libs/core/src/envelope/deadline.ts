import { errors } from '../errors';
import { type CallReply, type CallRequest } from './envelope';

/**
 * Resolves with the reply, or with a TIMEOUT reply when the request's deadline passes first: a
 * transport's client never waits past the deadline, whatever the other side does.
 */
export function replyByDeadline(req: CallRequest, pending: Promise<CallReply>, what: string): Promise<CallReply> {
  const deadline = req.meta.deadline;
  if (deadline === undefined) return pending;
  const left = deadline - Date.now();
  const timeout = (): CallReply => ({ id: req.id, error: errors.timeout(`${req.service}.${req.method} over ${what}`, deadline).toWire() });
  if (left <= 0) return Promise.resolve(timeout());
  return new Promise<CallReply>((resolve) => {
    const timer = setTimeout(() => resolve(timeout()), left);
    pending.then(
      (reply) => {
        clearTimeout(timer);
        resolve(reply);
      },
      () => undefined,
    );
  });
}

