import { closeSync, fstatSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { errnoCode } from '../core/errors.js';

/** Past this size daemon.log is moved to daemon.log.1 at the next start (one old file is kept). */
const ROTATE_BYTES = 10 * 1024 * 1024;
/** `logs --lines` reads at most this much from the end: lines are short, files may not be. */
const TAIL_WINDOW_BYTES = 4 * 1024 * 1024;
const FOLLOW_POLL_MS = 250;

export function rotateLogIfLarge(path: string): void {
  try {
    if (statSync(path).size > ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** The last N lines of the log at PATH (none when it does not exist), and its size. */
export function tailLog(path: string, n: number): { lines: string[]; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { lines: [], size: 0 };
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_WINDOW_BYTES);
    const buf = Buffer.alloc(size - start);
    let off = 0;
    while (off < buf.length) {
      const got = readSync(fd, buf, off, buf.length - off, start + off);
      if (got === 0) break;
      off += got;
    }
    let text = buf.subarray(0, off).toString('utf8');
    // A window that starts mid-line drops that partial line.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return { lines: n > 0 ? lines.slice(-n) : [], size: start + off };
  } finally {
    closeSync(fd);
  }
}

/**
 * Call ON_LINE for every whole line appended to PATH after byte FROM, until SIGNAL aborts. A log
 * that shrinks (rotated at a restart) is read again from its start.
 */
export async function followLog(path: string, from: number, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let offset = from;
  let partial = '';
  while (!signal.aborted) {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (size < offset) {
      offset = 0;
      partial = '';
    }
    if (size > offset) {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.alloc(Math.min(size - offset, TAIL_WINDOW_BYTES));
        const got = readSync(fd, buf, 0, buf.length, offset);
        offset += got;
        const text = partial + buf.subarray(0, got).toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      } finally {
        closeSync(fd);
      }
      continue;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, FOLLOW_POLL_MS);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'app', 'module']);

/** A pino line for people: `TIME LEVEL [module] message key=value…`; other lines (the daemon's own output) as they are. */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { level?: unknown }).level !== 'number') return safe(line);
    rec = parsed as Record<string, unknown>;
  } catch {
    return safe(line);
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString() : '';
  const level = LEVELS[rec.level as number] ?? String(rec.level);
  const module = typeof rec.module === 'string' ? ` [${rec.module}]` : '';
  const extra = Object.entries(rec)
    .filter(([k]) => !SHOWN_ELSEWHERE.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? safe(v) : JSON.stringify(v)}`);
  return `${time} ${level}${module} ${typeof rec.msg === 'string' ? safe(rec.msg) : ''}${extra.length ? '  ' + extra.join(' ') : ''}`;
}

// A name with a newline or a terminal escape in a log value must not print as something else.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
function safe(text: string): string {
  return UNSAFE.test(text) ? JSON.stringify(text) : text;
}
