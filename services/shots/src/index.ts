export { service } from './service';
export { fake, createFake } from './fake';
export { STATUSES, TRANSITIONS, type Status } from './transitions';
export type { HistoryEntry, Project, Sequence, Shot, Stats } from './model';
