import { pino, type Logger } from 'pino';

/**
 * Structured logs go to stderr and are silent unless VSS_LOG_LEVEL asks for them: the CLI's
 * own human-facing lines are its business, the log is for diagnosing.
 */
const level = process.env.VSS_LOG_LEVEL ?? 'silent';

export const log: Logger = pino({ level, base: { app: 'vss' } }, pino.destination(2));

export function childLog(module: string): Logger {
  return log.child({ module });
}
