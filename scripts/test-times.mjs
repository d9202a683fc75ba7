// `npm run test:times [-- N] [--save]`: the N (20) slowest test files of the last `npm test`, from
// the times its reporter kept (dist/test-times.json, test/support/file-times.ts). --save writes
// the slowest 60 to test/slow-first.txt, the order npm test starts them in (scripts/run-tests.mjs).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const file = fileURLToPath(new URL('../dist/test-times.json', import.meta.url));
/** FILE as a path in the repository (dist/…), wherever the run that timed it was. */
const inRepo = (file) => (file.includes('/dist/') ? file.slice(file.lastIndexOf('/dist/') + 1) : relative(repo, file));
const args = process.argv.slice(2);
const save = args.includes('--save');
const n = Number(args.find((a) => a !== '--save') ?? 20);
if (!Number.isInteger(n) || n < 1) {
  console.error('usage: npm run test:times [-- N] [--save]');
  process.exit(2);
}
if (!existsSync(file)) {
  console.error('no test times yet: run `npm test` first (it keeps them in dist/test-times.json)');
  process.exit(1);
}
const { at, files } = JSON.parse(readFileSync(file, 'utf8'));
const total = files.reduce((s, f) => s + f.ms, 0);
console.log(`the ${Math.min(n, files.length)} slowest of ${files.length} test files (npm test of ${at}; ${(total / 60000).toFixed(1)} min of tests in all)`);
for (const f of files.slice(0, n)) console.log(`${(f.ms / 1000).toFixed(1).padStart(7)} s  ${inRepo(f.file)}${f.failed ? '  (failed)' : ''}`);
if (save) {
  const head = '# The test files npm test starts first, slowest first (scripts/run-tests.mjs): written by\n# `npm run test:times -- --save` from a full run; a file not named here starts after these.\n';
  writeFileSync(new URL('../test/slow-first.txt', import.meta.url), head + files.slice(0, 60).map((f) => inRepo(f.file)).join('\n') + '\n');
  console.log('test/slow-first.txt: the 60 slowest, in this order');
}
