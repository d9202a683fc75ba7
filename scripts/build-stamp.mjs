// What `npm test` asks before it builds: whether the last `npm run build` is newer than every
// file a build reads. `npm ci` builds already (its prepare script), so on a fresh clone the test
// command's own build was a second one for nothing (~16 s on the 2-core machine).
//   node scripts/build-stamp.mjs begin   first step of `npm run build`: the time it started
//   node scripts/build-stamp.mjs end     last step: that build succeeded (the stamp, as of its start)
//   node scripts/build-stamp.mjs fresh   exit 0 when that build is newer than every input and its
//                                        outputs are there; else 1 (then npm test builds)
// The stamp holds the build's start, so a file changed while it ran counts as newer.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(repo, 'dist', '.build-stamp');
const started = `${stamp}.started`;
/** What a build reads: its sources and its settings (a folder: every file below it). */
const INPUTS = ['src', 'web', 'test', 'bench', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** What a build makes that npm test runs (the compiled tests, the web app, the CLI's bundle). */
const OUTPUTS = ['dist/.tsbuildinfo', 'dist/src/cli/main.js', 'dist/test', 'dist/web/index.html', 'dist/cli/main.cjs'];

/** The newest modification time under PATH (ms), 0 when nothing is there. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs; // a file removed changes its folder's time
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const step = process.argv[2];
if (step === 'begin') {
  mkdirSync(join(repo, 'dist'), { recursive: true });
  writeFileSync(started, String(Date.now()));
} else if (step === 'end') {
  if (existsSync(started)) renameSync(started, stamp);
} else if (step === 'fresh') {
  let at = 0;
  try {
    at = statSync(stamp).mtimeMs;
  } catch {
    process.exit(1);
  }
  const stale = INPUTS.find((p) => newest(join(repo, p)) > at);
  const missing = OUTPUTS.find((p) => !existsSync(join(repo, p)));
  if (stale || missing) process.exit(1);
  console.log(`build: up to date (dist/ built ${new Date(at).toISOString()}, nothing changed since): not built again`);
} else {
  console.error('usage: node scripts/build-stamp.mjs begin|end|fresh');
  process.exit(2);
}
