/** Printing for people and for scripts: --json writes only JSON to stdout; people get safe text. */
import { asRun } from './invoked-as.js';
export { formatBytes } from '../core/format.js';

// Control characters, and bidi overrides that could make a name print as something else.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

/** A path as one unambiguous line: names with newlines, tabs or control characters are quoted and escaped. */
export function displayPath(p: string): string {
  return UNSAFE.test(p) ? JSON.stringify(p) : p;
}

/**
 * TEXT with every control character and bidi override written as an escape (`\e`, `\n`, `\x07`,
 * `\u202e`), as GNU ls does on a terminal: a file name from a paired device or a USB stick can
 * then neither clear the screen, retitle the terminal, nor split one entry over two lines. Every
 * line printed for people passes here; `--json` keeps names exact.
 */
export function terminalSafe(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One JSON value on one line: for commands that print several results as they happen (`pair start`). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function printLine(line = ''): void {
  process.stdout.write(terminalSafe(line) + '\n');
}

export function warn(message: string): void {
  printError(`vss: warning: ${message}`);
}

/** One line to stderr, made terminal-safe: error messages name paths and peers' names too. */
export function printError(line: string): void {
  // Errors, warnings and notes carry hints of commands: written as the user runs vss.
  process.stderr.write(terminalSafe(asRun(line)) + '\n');
}

/** Something worth knowing that is not a problem, on stderr (--json keeps stdout to the JSON). */
export function note(message: string): void {
  printError(`vss: ${message}`);
}


export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When AT (an ISO time or ms since the epoch) was, as a person says it: "just now", "5 minutes
 * ago", "3 hours ago", "2 days ago", then from a week back the local date ("on 2026-11-20", a
 * date every locale reads alike). A time ahead of NOW (another clock) is its local date and
 * minute; a time that is none is printed as given. `--json` keeps the exact time.
 */
export function formatAgo(at: string | number, now = Date.now()): string {
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(t)) return String(at);
  const past = now - t;
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (past < -MINUTE) return `on ${localDate(t)} ${new Date(t).toTimeString().slice(0, 5)}`;
  if (past < MINUTE) return 'just now';
  if (past < HOUR) return count(Math.floor(past / MINUTE), 'minute');
  if (past < DAY) return count(Math.floor(past / HOUR), 'hour');
  if (past < 7 * DAY) return count(Math.floor(past / DAY), 'day');
  return `on ${localDate(t)}`;
}

function localDate(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Bytes gathered before one write: fewer calls into the stream than a write per line. */
const CHUNK = 64 * 1024;

/**
 * Text to stdout that waits for the reader. Writes to a pipe are asynchronous in Node, so a loop
 * that writes a long list without waiting queues all of it in memory when the reader is slower
 * (`vss content list --json | jq`); here at most a chunk is pending beside what the pipe holds.
 */
export class StdoutWriter {
  private buf = '';

  async write(text: string): Promise<void> {
    this.buf += text;
    if (this.buf.length >= CHUNK) await this.flush();
  }

  line(text = ''): Promise<void> {
    return this.write(text + '\n');
  }

  async flush(): Promise<void> {
    if (this.buf === '') return;
    const full = !process.stdout.write(this.buf);
    this.buf = '';
    // A reader that goes away ends the process (main.ts exits on EPIPE), so this wait always ends.
    if (full) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}

/** Print ITEMS as one JSON array, streamed: a list of a million rows never sits in memory. */
export async function printJsonArray(items: Iterable<unknown> | AsyncIterable<unknown>): Promise<void> {
  const out = new StdoutWriter();
  let first = true;
  await out.write('[');
  for await (const item of items) {
    await out.write((first ? '\n  ' : ',\n  ') + JSON.stringify(item));
    first = false;
  }
  await out.write(first ? ']\n' : '\n]\n');
  await out.flush();
}

/** Print one line per item, streamed; EMPTY when there was none. */
export async function printLines<T>(items: Iterable<T> | AsyncIterable<T>, format: (item: T) => string, empty: string): Promise<void> {
  const out = new StdoutWriter();
  let n = 0;
  for await (const item of items) {
    n++;
    await out.line(terminalSafe(format(item)));
  }
  if (n === 0) await out.line(terminalSafe(asRun(empty)));
  await out.flush();
}
