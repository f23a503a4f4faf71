import pino, { type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  level?: LogLevel;
  name?: string;
  /** Where lines go; pino's fast stdout writer by default. Tests pass a stream to read them. */
  destination?: pino.DestinationStream;
  /** `json`: one JSON object a line, for machines; `pretty`: coloured text, for a person at a terminal. */
  format?: 'json' | 'pretty';
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.name === undefined ? { pid: process.pid } : { pid: process.pid, node: opts.name },
    // Params marked sensitive never reach a log line, whatever a handler logs.
    redact: { paths: ['args.password', 'args.token', 'args.secret'], censor: '[redacted]' },
  };
  if (opts.format === 'pretty') {
    // In this thread, not a worker: a terminal's worth of lines, and every line out before exit.
    return pino(options, pretty({ destination: opts.destination ?? 1, sync: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' }));
  }
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
}

/** A logger that drops everything: the default where nobody asked for output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
