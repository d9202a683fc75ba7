import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs go to stderr and are silent unless VSS_LOG_LEVEL asks for them: the CLI's
 * own human-facing lines are its business, the log is for diagnosing. The daemon sends every
 * logger, made before or after, to its log file at `info` (logToFile).
 */
const level = process.env.VSS_LOG_LEVEL ?? 'silent';

// Loggers are made at import time, before the daemon knows its file: they all write through
// this one indirection, which logToFile points elsewhere.
let target: DestinationStream = pino.destination(2);
const sink: DestinationStream = { write: (line: string) => target.write(line) };

export const log: Logger = pino({ level, base: { app: 'vss' } }, sink);

/** A child keeps the level it was made with; these are raised with the root. */
const modules: Logger[] = [];

export function childLog(module: string): Logger {
  const child = log.child({ module });
  modules.push(child);
  return child;
}

/**
 * Send the root logger and every module logger to FILE (appended, created if missing) at
 * LEVEL (default: VSS_LOG_LEVEL, else info). Writes are synchronous, so the last lines before
 * a crash are in the file.
 */
export function logToFile(file: string, newLevel = process.env.VSS_LOG_LEVEL ?? 'info'): void {
  target = pino.destination({ dest: file, mkdir: true, sync: true, mode: 0o600 });
  log.level = newLevel;
  for (const child of modules) child.level = newLevel;
}
