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

/** Param names redacted from every log line and span, whichever method they belong to. */
export const ALWAYS_REDACTED: readonly string[] = ['password', 'token', 'secret'];

/**
 * A child of `log` that also redacts `args.<name>` for a method's sensitive params (`true`: all
 * of `args`), for the args the platform or a handler logs under `args`. A handler that logs a
 * secret under another key is on its own.
 */
export function sensitiveLogger(log: Logger, bindings: Record<string, unknown>, sensitive: true | readonly string[]): Logger {
  const paths = sensitive === true ? ['args'] : [...new Set([...ALWAYS_REDACTED, ...sensitive])].map((p) => `args.${p}`);
  return log.child(bindings, { redact: { paths, censor: '[redacted]' } });
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.name === undefined ? { pid: process.pid } : { pid: process.pid, node: opts.name },
    // These params never reach a log line, whatever a handler logs; a method's own sensitive
    // params are added for its calls by `sensitiveLogger`.
    redact: { paths: ALWAYS_REDACTED.map((p) => `args.${p}`), censor: '[redacted]' },
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
