import { ServiceError } from '@junction/core';

/** A shot's place in the pipeline, in the order work normally moves through them. */
export const STATUSES = ['waiting', 'wip', 'review', 'approved', 'final', 'omitted'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Where a shot may go from each status. Review can send it back to wip (a retake); any shot can
 * be omitted (cut from the edit), and an omitted shot comes back as waiting.
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = Object.freeze({
  waiting: ['wip', 'omitted'],
  wip: ['review', 'omitted'],
  review: ['approved', 'wip', 'omitted'],
  approved: ['final', 'omitted'],
  final: ['omitted'],
  omitted: ['waiting'],
});

export function allowedNext(from: Status): readonly Status[] {
  return TRANSITIONS[from];
}

/** Throws FORBIDDEN_TRANSITION unless `from -> to` is in the table; the real service and its fake both use it. */
export function checkTransition(project: string, code: string, from: Status, to: Status): void {
  const allowed = allowedNext(from);
  if (allowed.includes(to)) return;
  throw new ServiceError(
    'FORBIDDEN_TRANSITION',
    `shot ${code} of project ${project} cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.join(', ')}`,
    { project, code, from, to, allowed: [...allowed] },
  );
}
