/** Bundle the page (esbuild, platform browser, ESM, minified) into dist/; prints its sizes as JSON. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import * as esbuild from 'esbuild';

// --profile: names kept and one line per statement, into dist-profile/ (for a CPU profile of the page).
const profile = process.argv.includes('--profile');
const out = profile ? 'dist-profile' : 'dist';
mkdirSync(out, { recursive: true });
const started = performance.now();
const result = await esbuild.build({
  entryPoints: { app: 'browser/main.js' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  outdir: out,
  minify: !profile,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
copyFileSync('browser/index.html', `${out}/index.html`);
const js = readFileSync(`${out}/app.js`);
const biggest = {};
for (const [path, info] of Object.entries(result.metafile.outputs[`${out}/app.js`].inputs)) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(spike)';
  biggest[pkg] = (biggest[pkg] ?? 0) + info.bytesInOutput;
}
console.log(JSON.stringify({
  buildMs: Math.round(performance.now() - started),
  minBytes: js.length,
  gzipBytes: gzipSync(js, { level: 9 }).length,
  brotliBytes: brotliCompressSync(js).length,
  topPackages: Object.entries(biggest).sort((a, b) => b[1] - a[1]).slice(0, 12),
}));
