import { Writable } from 'node:stream';
import { LevelOverrides, ServiceLoggers } from './levels';
import { createLogger, type LogLevel } from './logger';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { stream, lines };
}

describe('ServiceLoggers', () => {
  it("changes one service's level without touching the node's or another service's", () => {
    const out = sink();
    const base = createLogger({ destination: out.stream, level: 'info', name: 'n1' });
    const loggers = new ServiceLoggers(base);
    loggers.setLevel('shots', 'debug');
    loggers.for('shots').debug('shots debug');
    loggers.for('calc').debug('calc debug');
    base.debug('node debug');
    expect(out.lines.map((l) => l.msg)).toEqual(['shots debug']);
    expect(out.lines[0]).toMatchObject({ node: 'n1', level: 20 });
    expect(loggers.levels()).toEqual({ shots: 'debug', calc: 'info' });
  });

  it("goes back to the node's level when set to undefined", () => {
    const loggers = new ServiceLoggers(createLogger({ destination: sink().stream, level: 'warn' }));
    loggers.setLevel('shots', 'trace');
    loggers.setLevel('shots', undefined);
    expect(loggers.levels()).toEqual({ shots: 'warn' });
  });
});

describe('LevelOverrides', () => {
  let applied: [string, LogLevel | undefined][];
  let overrides: LevelOverrides;
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    applied = [];
    overrides = new LevelOverrides({ apply: (s, l) => applied.push([s, l]) });
  });
  afterEach(() => {
    overrides.close();
    jest.useRealTimers();
  });

  it('applies an override at once and reverts it at its expiry', () => {
    expect(overrides.offer({ service: 'shots', level: 'debug', setAt: 1_000_000, expiresAt: 1_005_000 })).toBe(true);
    expect(applied).toEqual([['shots', 'debug']]);
    jest.advanceTimersByTime(4999);
    expect(applied).toHaveLength(1);
    expect(overrides.active()).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(applied).toEqual([
      ['shots', 'debug'],
      ['shots', undefined],
    ]);
    expect(overrides.active()).toEqual([]);
  });

  it('keeps an override without ttl until a newer one replaces it', () => {
    overrides.offer({ service: 'shots', level: 'debug', setAt: 1_000_000 });
    jest.advanceTimersByTime(24 * 3600_000);
    expect(overrides.active()).toEqual([{ service: 'shots', level: 'debug', setAt: 1_000_000 }]);
    overrides.offer({ service: 'shots', level: 'error', setAt: 1_000_001 });
    expect(overrides.active()).toEqual([{ service: 'shots', level: 'error', setAt: 1_000_001 }]);
  });

  it('ignores an override older than the one it holds, even after that one expired', () => {
    overrides.offer({ service: 'shots', level: 'debug', setAt: 1_000_000, expiresAt: 1_001_000 });
    jest.advanceTimersByTime(2000);
    // A heartbeat carrying an older override, heard late: it must not come back.
    expect(overrides.offer({ service: 'shots', level: 'trace', setAt: 999_000 })).toBe(false);
    expect(overrides.offer({ service: 'shots', level: 'debug', setAt: 1_000_000, expiresAt: 1_001_000 })).toBe(false);
    expect(applied).toEqual([
      ['shots', 'debug'],
      ['shots', undefined],
    ]);
  });

  it('ignores an override that has already expired, and cancels the revert of one it replaces', () => {
    expect(overrides.offer({ service: 'calc', level: 'debug', setAt: 990_000, expiresAt: 999_999 })).toBe(false);
    overrides.offer({ service: 'shots', level: 'debug', setAt: 1_000_000, expiresAt: 1_001_000 });
    overrides.offer({ service: 'shots', level: 'trace', setAt: 1_000_500 });
    jest.advanceTimersByTime(5000);
    expect(applied).toEqual([
      ['shots', 'debug'],
      ['shots', 'trace'],
    ]);
  });
});
