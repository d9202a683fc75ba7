/**
 * Bundle the compiled CLI (dist/src/cli/main.js, which is also the daemon: `daemon start` runs
 * `vss daemon start --foreground`) into one CommonJS file, dist/cli/main.cjs, and make V8's code
 * cache of it (dist/cli/main.cjs.cache), so a command or a daemon starts without loading some 900
 * modules one by one (Node 20 pays about a millisecond for each ES module it resolves, reads and
 * links) and without compiling the code it starts with: a daemon start 1,440 → 900 ms of
 * CPU, `jobs list` 0.64 → 0.51 s (measured 2026-11-28; docs/decisions.md). Node 20 keeps no code
 * cache for ES modules, hence one CommonJS file; bin/vss loads it with the cache (and writes the
 * cache when it finds none) when it is there and not older than the compiled files.
 *
 * What is bundled: vss's own compiled modules and every npm package that is an ES module. Left
 * as they are (required from node_modules as before): CommonJS packages (native addons among
 * them). Lazy imports stay lazy: a module reached only by a dynamic import is compiled with the
 * rest but runs at its first import; an engine (a CommonJS package required with createRequire at
 * its first use) is not even read until then. In every bundled file, import.meta.url is rewritten to that file's own
 * URL, so what it finds beside itself (workers, child scripts, the web app, createRequire, a
 * package's own package.json) is found exactly as unbundled: a worker or a child process runs
 * the compiled files, not the bundle.
 *
 *   node scripts/bundle-cli.mjs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distSrc = join(root, 'dist', 'src');
const out = join(root, 'dist', 'cli');
const tmp = join(root, 'dist', `cli.tmp-${process.pid}`);
const started = performance.now();

/** The folder of the package FILE belongs to (the nearest package.json below node_modules). */
function packageRoot(file) {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && dir.includes(`${sep}node_modules${sep}`)) {
      const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
      if (name) return dir;
    }
    dir = dirname(dir);
  }
  return undefined;
}

const bundled = new Map();
/** Whether the package at DIR goes into the bundle: an ES module package. */
function bundles(dir) {
  let yes = bundled.get(dir);
  if (yes === undefined) {
    yes = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type === 'module';
    bundled.set(dir, yes);
  }
  return yes;
}

/** Whether Node loads FILE as an ES module: .mjs, or .js under a package.json of type module. */
function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) return JSON.parse(readFileSync(pj, 'utf8')).type === 'module';
  }
  return false;
}

/** A relative path from the bundle's folder, dist/cli/, to FILE. */
const fromBundle = (file) => {
  const rel = relative(out, file).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

const plugin = {
  name: 'vss-cli',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || args.path.startsWith('node:') || !args.importer) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || r.external || !r.path) return r.errors.length > 0 ? { errors: r.errors } : undefined;
      const dir = packageRoot(r.path);
      if (dir === undefined) return undefined;
      if (bundles(dir)) return { path: r.path };
      // Left out: required from where it is, the file Node's require() loads (a package with an ES
      // module entry beside its CommonJS one gives its CommonJS one, whose default export is what
      // an import's is); a package with none is bundled.
      const req = await build.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, pluginData: 'inner' });
      if (req.errors.length > 0 || !req.path || isEsm(req.path)) return { path: r.path };
      return { path: fromBundle(req.path), external: true };
    });
    // Each bundled file's import.meta.url is its own file's URL (CommonJS has no import.meta).
    build.onLoad({ filter: /\.m?js$/ }, (args) => {
      if (!args.path.startsWith(distSrc + sep) && !args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle(args.path))}, __vssBundleUrl).href`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

await rm(tmp, { recursive: true, force: true });
await mkdir(tmp, { recursive: true });
// A build that fails leaves no half-made folder (a good one has been renamed to dist/cli/ by then).
process.once('exit', () => rmSync(tmp, { recursive: true, force: true }));
const result = await esbuild.build({
  entryPoints: { main: join(distSrc, 'cli', 'main.js') },
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  conditions: [],
  outdir: tmp,
  // ES modules are strict; the bundle keeps them so. __vssBundleUrl: what each file's import.meta.url is made from.
  banner: { js: '"use strict";\nconst __vssBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [plugin],
  logLevel: 'silent',
  metafile: true,
  legalComments: 'none',
  // Whitespace only (names and lines of code kept): the bundle's text stays in every process's heap
  // for V8's lazy compiles, 4.5 MB as written, 3.1 MB so (a CLI's heap at rest 12.9 -> 10.7 MiB).
  minifyWhitespace: true,
});
// A dynamic import left in the bundle fails once the bundle runs from its code cache (Node 20
// loses the script's import callback then): a package loaded at its first use is required
// (createRequire), as vss's engines are.
const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
const dynamic = imports.filter((i) => i.kind === 'dynamic-import' && i.external);
if (dynamic.length > 0) throw new Error(`the CLI bundle would import ${dynamic.map((i) => i.path).join(', ')} dynamically: require it with createRequire instead`);
// A package left out is required: an ES module there would be its namespace, whose `default` the
// bundle's interop would not find (an import's default export of merge-options, ws).
const esmLeft = imports.filter((i) => i.external && i.path.startsWith('.') && isEsm(join(out, i.path)));
if (esmLeft.length > 0) throw new Error(`the CLI bundle would require ES modules: ${esmLeft.map((i) => i.path).join(', ')}`);
// An import.meta left (import.meta.resolve, …) would be an empty object in CommonJS: not built.
const metaLeft = result.warnings.filter((w) => w.text.includes('import.meta'));
if (metaLeft.length > 0) {
  for (const w of metaLeft) console.error(`${w.location?.file}:${w.location?.line}: ${w.text}`);
  throw new Error('the CLI bundle would lose an import.meta: not built');
}
// ASCII only: esbuild escapes what its strings and regexps hold, not what its comments do, and
// Node reads a file with one other character as two bytes a character (4.5 MB: 140 ms against 10).
const bundleFile = join(tmp, 'main.cjs');
const text = readFileSync(bundleFile, 'utf8');
const ascii = text.replace(/[^\x00-\x7f]/gu, (c) => [...c].map((ch) => {
  const code = ch.codePointAt(0);
  const units = code > 0xffff ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)] : [code];
  return units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
}).join(''));
if (ascii !== text) writeFileSync(bundleFile, ascii);
await rm(out, { recursive: true, force: true });
await rename(tmp, out);
// The code cache: written by the first run that finds none (bin/vss), here a `--help`, which
// compiles the command line and what every command's start shares.
// Made without NODE_OPTIONS: the cache a plain run takes (bin/vss keeps others' beside it).
const { NODE_OPTIONS: _flags, ...plainEnv } = process.env;
execFileSync(process.execPath, [join(root, 'bin', 'vss'), '--help'], { stdio: 'ignore', env: { ...plainEnv, VSS_UNBUNDLED: '' } });
const cache = join(out, 'main.cjs.cache');
const inputs = Object.keys(result.metafile.inputs).length;
if (process.env.VSS_BUNDLE_VERBOSE) console.log([...bundled].filter(([, y]) => !y).map(([d]) => relative(root, d)).join('\n'));
console.log(`CLI bundled in ${Math.round(performance.now() - started)} ms: ${inputs} modules into dist/cli/main.cjs (${[...bundled.values()].filter(Boolean).length} packages in, ${[...bundled.values()].filter((x) => !x).length} left out; code cache ${existsSync(cache) ? `${Math.round(statSync(cache).size / 1024)} KiB` : 'not made'})`);
