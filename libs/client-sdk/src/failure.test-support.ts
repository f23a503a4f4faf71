import { isJunctionCallError, type JunctionCallError } from './errors';

/** The JunctionCallError `p` rejects with; throws if it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<JunctionCallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isJunctionCallError(err)) throw new Error(`expected a JunctionCallError, got ${String(err)}`);
  return err;
}
