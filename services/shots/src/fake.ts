import { defineFake, type ServiceDefinition } from '@junction/core';
import { alreadyExists, checkFrameRange, notFound } from './errors';
import { type HistoryEntry, type NewShot, type Project, type Sequence, type Shot, type Stats } from './model';
import { service } from './service';
import { checkTransition, STATUSES, type Status } from './transitions';

interface FakeState {
  projects: Map<string, Project>;
  /** Keyed by `project/sequence`. */
  sequences: Map<string, Sequence>;
  /** Keyed by `project/code`. */
  shots: Map<string, { shot: Shot; history: HistoryEntry[] }>;
}

const key = (project: string, code: string) => `${project}/${code}`;
const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const bySequenceThenCode = (a: Shot, b: Shot) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : byCode(a, b));
// Copies out, so a client cannot change the fake's state through a result it holds.
const copy = <T>(value: T): T => structuredClone(value);

/**
 * A fake shots service with its own empty state, kept in memory: the same methods, schemas,
 * refusals and transition table as the real one, so a client (dailies, a tool) can be tested
 * against it without a database. Differences from the real service: nothing persists, and
 * `stats` adds up frames itself instead of calling calc.
 *
 * @example
 * const host = hostServices(dailies, { with: [createFake()] });
 */
export function createFake(): ServiceDefinition<typeof service.methods> {
  const state: FakeState = { projects: new Map(), sequences: new Map(), shots: new Map() };
  const now = () => new Date().toISOString();

  const project = (code: string): Project => {
    const p = state.projects.get(code);
    if (p === undefined) throw notFound.project(code);
    return p;
  };
  const sequence = (p: string, code: string): Sequence => {
    const s = state.sequences.get(key(p, code));
    if (s === undefined) throw notFound.sequence(p, code);
    return s;
  };
  const entry = (p: string, code: string) => {
    const e = state.shots.get(key(p, code));
    if (e === undefined) throw notFound.shot(p, code);
    return e;
  };
  const shotsOf = (p: string) => [...state.shots.values()].map((e) => e.shot).filter((s) => s.project === p);

  return defineFake(service, {
    createProject: (args) => {
      const { code, name } = args as { code: string; name: string };
      if (state.projects.has(code)) throw alreadyExists.project(code);
      const p = { code, name, createdAt: now() };
      state.projects.set(code, p);
      return copy(p);
    },
    listProjects: () => copy([...state.projects.values()].sort(byCode)),
    createSequence: (args) => {
      const { project: p, code } = args as { project: string; code: string };
      project(p);
      if (state.sequences.has(key(p, code))) throw alreadyExists.sequence(p, code);
      const s = { project: p, code, createdAt: now() };
      state.sequences.set(key(p, code), s);
      return copy(s);
    },
    create: (args, ctx) => {
      const n = args as unknown as NewShot;
      checkFrameRange(n.project, n.code, n.frameIn, n.frameOut);
      project(n.project);
      sequence(n.project, n.sequence);
      if (state.shots.has(key(n.project, n.code))) throw alreadyExists.shot(n.project, n.code);
      const at = now();
      const shot: Shot = {
        project: n.project,
        sequence: n.sequence,
        code: n.code,
        frameIn: n.frameIn,
        frameOut: n.frameOut,
        frames: n.frameOut - n.frameIn + 1,
        ...(n.description === undefined ? {} : { description: n.description }),
        status: 'waiting',
        createdAt: at,
        updatedAt: at,
      };
      state.shots.set(key(n.project, n.code), { shot, history: [{ from: null, to: 'waiting', changedBy: ctx.caller.identity, changedAt: at }] });
      return copy(shot);
    },
    list: (args) => {
      const { project: p, sequence: sq, status } = args as { project: string; sequence?: string; status?: Status };
      project(p);
      if (sq !== undefined) sequence(p, sq);
      return copy(shotsOf(p).filter((s) => (sq === undefined || s.sequence === sq) && (status === undefined || s.status === status)).sort(bySequenceThenCode));
    },
    get: (args) => {
      const { project: p, code } = args as { project: string; code: string };
      return copy(entry(p, code).shot);
    },
    setStatus: (args, ctx) => {
      const { project: p, code, status: to, note } = args as { project: string; code: string; status: Status; note?: string };
      const e = entry(p, code);
      const from = e.shot.status;
      checkTransition(p, code, from, to);
      const at = now();
      e.shot = { ...e.shot, status: to, updatedAt: at };
      e.history.push({ from, to, ...(note === undefined ? {} : { note }), changedBy: ctx.caller.identity, changedAt: at });
      return copy(e.shot);
    },
    history: (args) => {
      const { project: p, code } = args as { project: string; code: string };
      return copy(entry(p, code).history);
    },
    stats: (args): Stats => {
      const { project: p } = args as { project: string };
      project(p);
      const shots = shotsOf(p);
      const byStatus = Object.fromEntries(STATUSES.map((s) => [s, shots.filter((x) => x.status === s).length])) as Stats['byStatus'];
      const frames = shots.filter((s) => s.status !== 'omitted').reduce((n, s) => n + s.frames, 0);
      return { project: p, shots: shots.length, byStatus, frames };
    },
  });
}

/** One shared fake; use `createFake()` where each test needs a state of its own. */
export const fake = createFake();
