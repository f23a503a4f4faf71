import pino, { type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  level?: LogLevel;
  name?: string;
  /** Where lines go; pino's fast stdout writer by default. Tests pass a stream to read them. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.name === undefined ? { pid: process.pid } : { pid: process.pid, node: opts.name },
    // Params marked sensitive never reach a log line, whatever a handler logs.
    redact: { paths: ['args.password', 'args.token', 'args.secret'], censor: '[redacted]' },
  };
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
}

/** A logger that drops everything: the default where nobody asked for output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
