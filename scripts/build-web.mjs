/**
 * Build the web UI (DESIGN §13) into dist/web/: web/src/main.tsx bundled by esbuild into
 * content-hashed assets (cached for good by the browser, since a new build has new names) and
 * an index.html that loads them. No inline script or style: the daemon's CSP forbids both.
 * The type check (`tsc -p web`) runs beside the bundling; either failing fails the build.
 *
 *   node scripts/build-web.mjs [--no-check]
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import sharp from 'sharp';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const check = !process.argv.includes('--no-check');
const started = performance.now();

function typecheck() {
  return new Promise((resolve, reject) => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const child = spawn(process.execPath, [tsc, '-p', join(root, 'web')], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p web failed (exit ${code})`))));
  });
}

/** Bundle into TMP, a folder beside the final one. */
async function bundle(tmp) {
  await rm(tmp, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: 'web/src/main.tsx' },
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    outdir: join(tmp, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.outputs).map((f) => relative(join(tmp), join(root, f)));
  const js = files.find((f) => f.endsWith('.js'));
  const css = files.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild made no ${js ? 'CSS' : 'JS'} bundle`);
  await writeFile(join(tmp, 'assets', 'icon.svg'), ICON);
  // Installable (issue 44): a manifest, icons a phone's home screen takes, and the service worker.
  for (const size of [192, 512]) await sharp(Buffer.from(ICON), { density: 72 * size / 32 }).resize(size, size).png().toFile(join(tmp, 'assets', `icon-${size}.png`));
  await writeFile(join(tmp, 'manifest.webmanifest'), JSON.stringify(MANIFEST, null, 2) + '\n');
  const assets = ['assets/icon.svg', 'assets/icon-192.png', 'assets/icon-512.png', js, css, ...files.filter((f) => f !== js && f !== css && f.startsWith('assets/'))];
  const build = basename(js).replace(/^app-|\.js$/g, '');
  // The relay box's service worker (issue 46 item 4): libp2p in one classic script (a worker cannot import() later), at a fixed name.
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['web/src/away/away-sw.ts'],
    bundle: true,
    format: 'iife',
    target: ['chrome120', 'firefox120', 'safari17'],
    outfile: join(tmp, 'sw-away.js'),
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const sw = (await readFile(join(root, 'web', 'sw.js'), 'utf8')).replace('__BUILD__', build).replace('__ASSETS__', JSON.stringify([...new Set(assets)]));
  await writeFile(join(tmp, 'sw.js'), sw);
  await writeFile(join(tmp, 'index.html'), page(js, css));
  return { js, css };
}

/** Relative addresses: the page is served at /ui/, and from any folder when tried by hand. */
function page(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>vss</title>
<link rel="icon" href="assets/icon.svg" type="image/svg+xml">
<link rel="manifest" href="manifest.webmanifest">
<link rel="apple-touch-icon" href="assets/icon-192.png">
<meta name="theme-color" content="#3b5bdb">
<meta name="mobile-web-app-capable" content="yes">
<link rel="stylesheet" href="${css}">
<script type="module" src="${js}"></script>
</head>
<body>
<div id="root"></div>
<noscript>The vss web UI needs JavaScript.</noscript>
</body>
</html>
`;
}

const MANIFEST = {
  name: 'vss', short_name: 'vss', description: 'Your photos and videos, on every device',
  start_url: './', scope: './', display: 'standalone', background_color: '#ffffff', theme_color: '#3b5bdb',
  icons: [
    { src: 'assets/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    { src: 'assets/icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: 'assets/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
  ],
};

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b5bdb"/><path d="M8 10l8 13 8-13" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>\n';

// Swapped in whole once bundle and type check both passed, so a daemon never serves half a build or a broken one.
const tmp = `${out}.tmp-${process.pid}`;
try {
  const [{ js, css }] = await Promise.all([bundle(tmp), check ? typecheck() : Promise.resolve()]);
  await rm(out, { recursive: true, force: true });
  await mkdir(dirname(out), { recursive: true });
  await rename(tmp, out);
  const ms = Math.round(performance.now() - started);
  console.log(`web UI built in ${ms} ms: dist/web/index.html, ${basename(js)}, ${basename(css)}${check ? '' : ' (not type-checked)'}`);
} catch (err) {
  await rm(tmp, { recursive: true, force: true });
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
