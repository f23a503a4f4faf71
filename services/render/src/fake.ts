import { defineFake } from '@junction/core';
import { frameSize, service } from './render';

/** A render service for clients' tests: the right sizes at once, a fixed checksum, no waiting. */
export const fake = defineFake(service, {
  thumbnail: ({ megapixels }) => ({ ...frameSize(Number(megapixels)), checksum: '00000000', meanLuminance: 128 }),
  probe: ({ ms }) => ({ waitedMs: Number(ms ?? 5) }),
});
