/** Printing for people and for scripts: --json writes only JSON to stdout; people get safe text. */

// Control characters, and bidi overrides that could make a name print as something else.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A path as one unambiguous line: names with newlines, tabs or control characters are quoted and escaped. */
export function displayPath(p: string): string {
  return UNSAFE.test(p) ? JSON.stringify(p) : p;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(line = ''): void {
  process.stdout.write(line + '\n');
}

export function warn(message: string): void {
  process.stderr.write(`vss: warning: ${message}\n`);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return u === 0 ? `${v} ${units[u]}` : `${v.toFixed(1)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Writes a JSON array item by item, so a long list streams instead of building in memory. */
export class JsonArrayWriter {
  private first = true;

  constructor() {
    process.stdout.write('[');
  }

  push(item: unknown): void {
    process.stdout.write((this.first ? '\n  ' : ',\n  ') + JSON.stringify(item));
    this.first = false;
  }

  end(): void {
    process.stdout.write(this.first ? ']\n' : '\n]\n');
  }
}

/** Print ITEMS as one JSON array, streamed (a list of a million rows never sits in memory). */
export function printJsonArray(items: Iterable<unknown>): void {
  const out = new JsonArrayWriter();
  for (const item of items) out.push(item);
  out.end();
}
