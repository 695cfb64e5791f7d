// JSON logs (one object per line) on stderr. Synchronous writes: a line about a delivery is
// out before the reply that depends on it, and survives an immediate exit.
import { pino, type Logger, type Level } from 'pino';

export type { Logger };

export function createLogger(level: Level | 'silent' = 'info', name = 'sluice'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that writes nowhere (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
