// `npm run test:times [-- N]`: the N (20) slowest test files of the last `npm test`, from the
// times its reporter kept (dist/test-times.json, test/support/file-times.ts).
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const file = fileURLToPath(new URL('../dist/test-times.json', import.meta.url));
const n = Number(process.argv[2] ?? 20);
if (!Number.isInteger(n) || n < 1) {
  console.error('usage: npm run test:times [-- N]');
  process.exit(2);
}
if (!existsSync(file)) {
  console.error('no test times yet: run `npm test` first (it keeps them in dist/test-times.json)');
  process.exit(1);
}
const { at, files } = JSON.parse(readFileSync(file, 'utf8'));
const total = files.reduce((s, f) => s + f.ms, 0);
console.log(`the ${Math.min(n, files.length)} slowest of ${files.length} test files (npm test of ${at}; ${(total / 60000).toFixed(1)} min of tests in all, two files at a time)`);
for (const f of files.slice(0, n)) console.log(`${(f.ms / 1000).toFixed(1).padStart(7)} s  ${relative(repo, f.file)}${f.failed ? '  (failed)' : ''}`);
