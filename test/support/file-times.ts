import type { TestEvent } from 'node:test/reporters';

/**
 * A reporter `npm test` runs beside TAP (its destination dist/test-times.json): how long each test
 * file took, its top-level tests' durations added up, and whether it passed. `npm run test:times`
 * prints the slowest (scripts/test-times.mjs).
 */
export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const files = new Map<string, { ms: number; failed: boolean }>();
  for await (const e of source) {
    if (e.type !== 'test:pass' && e.type !== 'test:fail') continue;
    const data = e.data as { nesting: number; file?: string; details?: { duration_ms?: number } };
    if (data.nesting !== 0 || data.file === undefined) continue;
    const f = files.get(data.file) ?? { ms: 0, failed: false };
    f.ms += data.details?.duration_ms ?? 0;
    if (e.type === 'test:fail') f.failed = true;
    files.set(data.file, f);
  }
  const rows = [...files].map(([file, f]) => ({ file, ms: Math.round(f.ms), failed: f.failed })).sort((a, b) => b.ms - a.ms);
  yield JSON.stringify({ at: new Date().toISOString(), files: rows }, null, 1) + '\n';
}
