/**
 * kpg's loggers: pino, JSON lines. Each line carries each key once. pino does not merge a child's
 * bindings with its parent's (a child of a child that binds the same key writes it twice, and JSON
 * readers then keep one of the two silently), so a module names its component with `componentLogger`,
 * which keeps the name a caller already gave.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The root logger: `pid` on every line, no hostname. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino({ level, base: { pid: process.pid } }, destination) : pino({ level, base: { pid: process.pid } });
}

/** `log` with `component: name`, unless `log` already names a component (then that name stays). */
export function componentLogger(log: Logger, name: string): Logger {
  return 'component' in log.bindings() ? log : log.child({ component: name });
}
