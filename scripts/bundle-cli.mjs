/**
 * Bundle the compiled CLI (dist/src/cli/main.js, which is also the daemon: `daemon start` runs
 * `vss daemon start --foreground`) into dist/cli/, so a command or a daemon starts without
 * loading some 900 modules one by one: Node 20 pays about a millisecond for each ES module it
 * resolves, reads and links (the libp2p stack alone: 850 ms as its 300 modules, 145 ms as one
 * file). bin/vss runs the bundle when it is there and not older than the compiled files.
 *
 * What is bundled: vss's own compiled modules and the npm packages that are ES modules and find
 * nothing beside themselves (no import.meta.url in their files). Left as they are (imported
 * from node_modules as before): CommonJS packages (native addons among them) and packages that
 * locate their own files. Lazy imports stay lazy (code splitting: a dynamic import is a chunk).
 * In vss's own modules, import.meta.url is rewritten to the compiled file's own URL, so what
 * they find beside themselves (workers, child scripts, the web app, createRequire) is found
 * exactly as unbundled: a worker or a child process runs the compiled files, not the bundle.
 *
 *   node scripts/bundle-cli.mjs
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Whether any .js/.mjs file of the package at DIR (its own node_modules aside) names import.meta.url or __dirname. */
function findsItsFiles(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).some((e) => {
    if (e.name === 'node_modules') return false;
    const p = join(d, e.name);
    if (e.isDirectory()) return walk(p);
    if (!/\.m?js$/.test(e.name)) return false;
    const text = readFileSync(p, 'utf8');
    return text.includes('import.meta.url') || text.includes('__dirname') || text.includes('__filename');
  });
  return walk(dir);
}

const bundled = new Map();
/** Whether the package at DIR goes into the bundle: an ES module package that finds nothing beside itself. */
function bundles(dir) {
  let yes = bundled.get(dir);
  if (yes === undefined) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    yes = pkg.type === 'module' && !findsItsFiles(dir);
    bundled.set(dir, yes);
  }
  return yes;
}

/** A relative import from a chunk in dist/cli/ to FILE (every chunk is in that one folder). */
const fromChunk = (file) => {
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
      // Left out: imported from where it is, the very file Node would load for this import.
      return { path: fromChunk(r.path), external: true };
    });
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(distSrc + sep)) return undefined;
      let text = readFileSync(args.path, 'utf8');
      if (text.includes('import.meta.url')) {
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk(args.path))}, import.meta.url).href`);
      }
      return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await rm(tmp, { recursive: true, force: true });
await mkdir(tmp, { recursive: true });
const result = await esbuild.build({
  entryPoints: { main: join(distSrc, 'cli', 'main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: [],
  outdir: tmp,
  chunkNames: 'chunk-[hash]',
  plugins: [plugin],
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
});
await rm(out, { recursive: true, force: true });
await rename(tmp, out);
const inputs = Object.keys(result.metafile.inputs).length;
const outputs = Object.keys(result.metafile.outputs).length;
if (process.env.VSS_BUNDLE_VERBOSE) console.log([...bundled].filter(([, y]) => !y).map(([d]) => relative(root, d)).join("\n"));
console.log(`CLI bundled in ${Math.round(performance.now() - started)} ms: ${inputs} modules into ${outputs} files in dist/cli/ (${[...bundled.values()].filter(Boolean).length} packages in, ${[...bundled.values()].filter((x) => !x).length} left out)`);
