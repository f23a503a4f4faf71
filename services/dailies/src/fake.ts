import { defineFake } from '@junction/core';
import { service } from './dailies';

/** A fake dailies for its own clients' tests: an empty playlist, and every approval granted. */
export const fake = defineFake(service, {
  playlist: ({ project }) => ({ project, frames: 0, shots: [] }),
  approve: ({ project, code }) => ({ project, code, status: 'approved' }),
});
