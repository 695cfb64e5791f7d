// JSON logs (one object per line) on stderr. Synchronous writes: a line about a delivery is
// out before the reply that depends on it, and survives an immediate exit.
import { pino, type Logger, type Level } from 'pino';

export type { Logger };

/** How a logger made by createLogger() was made: another process can make the same one on the same stderr. */
export interface StderrLog {
  level: Level | 'silent';
  name: string;
}

const made = new WeakMap<Logger, StderrLog>();

export function createLogger(level: Level | 'silent' = 'info', name = 'sluice'): Logger {
  const logger = pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  made.set(logger, { level, name });
  return logger;
}

/** The recipe of a logger from createLogger(); undefined for any other logger (tests capture theirs). */
export function stderrLogOf(logger: Logger): StderrLog | undefined {
  return made.get(logger);
}

/** A logger that writes nowhere (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
