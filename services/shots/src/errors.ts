import { ServiceError } from '@junction/core';

// The refusals of the shots service, shared with its fake so both say exactly the same thing.

export const notFound = {
  project: (project: string) =>
    new ServiceError('NOT_FOUND', `no project ${project}; create it with shots.createProject`, { project }),
  sequence: (project: string, sequence: string) =>
    new ServiceError('NOT_FOUND', `no sequence ${sequence} in project ${project}; create it with shots.createSequence`, { project, sequence }),
  shot: (project: string, code: string) => new ServiceError('NOT_FOUND', `no shot ${code} in project ${project}`, { project, code }),
};

export const alreadyExists = {
  project: (project: string) => new ServiceError('ALREADY_EXISTS', `project ${project} already exists`, { project }),
  sequence: (project: string, sequence: string) =>
    new ServiceError('ALREADY_EXISTS', `sequence ${sequence} already exists in project ${project}`, { project, sequence }),
  shot: (project: string, code: string) => new ServiceError('ALREADY_EXISTS', `shot ${code} already exists in project ${project}`, { project, code }),
};

/** A shot's range is inclusive, so a one-frame shot has frameIn equal to frameOut. */
export function checkFrameRange(project: string, code: string, frameIn: number, frameOut: number): void {
  if (frameOut >= frameIn) return;
  throw new ServiceError(
    'INVALID_FRAME_RANGE',
    `shot ${code} of project ${project}: frameOut ${frameOut} is before frameIn ${frameIn}; frameOut must be at least frameIn`,
    { project, code, frameIn, frameOut },
  );
}
