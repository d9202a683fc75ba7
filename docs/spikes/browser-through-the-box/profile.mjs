/**
 * Where the browser's time goes during the four 5 MiB transfers: a CPU profile of the page (CDP
 * Profiler, a bundle that keeps its names), self time summed by package and by function.
 *
 *   node profile.mjs        (prints JSON; writes results/profile.json)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumExecutable } from './chromium.mjs';
import { chromiumPid, cpuBetween, cpuTree, startNode, stopAll } from './procs.mjs';

const here = new URL('.', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'spike-wss-prof-'));
let browser;
try {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=box.test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')], { stdio: 'ignore', timeout: 20_000 });
  execFileSync(process.execPath, ['build.mjs', '--profile'], { cwd: here, timeout: 120_000 });
  const profDir = join(here, 'results', 'cpuprof');
  mkdirSync(profDir, { recursive: true });
  const prof = process.argv.includes('--node-prof') ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {};
  const box = startNode('box.mjs', [join(work, 'cert.pem'), join(work, 'key.pem'), join(here, 'dist')], prof);
  const b = await box.next((o) => o.ready);
  const home = startNode('home.mjs', [b.tcp], prof);
  const homeId = (await home.next((o) => o.peerId)).peerId;
  await box.command(`allow ${homeId}`);
  home.child.stdin.write('start\n');
  await home.next((o) => o.ready);

  const exe = await chromiumExecutable();
  browser = await chromium.launch({ executablePath: exe.executablePath, env: { ...process.env, ...exe.env }, timeout: 30_000 });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`https://127.0.0.1:${b.httpsPort}/p/`, { timeout: 20_000 });
  const peerId = await (await page.waitForFunction(() => window.spike?.peerId, undefined, { timeout: 20_000 })).jsonValue();
  await box.command(`allow ${peerId}`);
  await home.command(`allow ${peerId}`);
  // Warm up once (JIT), then profile a second run.
  await page.evaluate((home) => window.spike.run({ home }), homeId);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const t = Date.now();
  const cpu0 = { box: cpuTree(box.pid), home: cpuTree(home.pid), chromium: cpuTree(chromiumPid()) };
  const result = await page.evaluate((home) => window.spike.run({ home }), homeId);
  const wall = Date.now() - t;
  const cpu1 = { box: cpuTree(box.pid), home: cpuTree(home.pid), chromium: cpuTree(chromiumPid()) };
  const cpuSeconds = { box: cpuBetween(cpu0.box, cpu1.box).total, home: cpuBetween(cpu0.home, cpu1.home).total, chromium: cpuBetween(cpu0.chromium, cpu1.chromium) };
  const loadavg = readFileSync('/proc/loadavg', 'utf8').trim();
  const { profile } = await cdp.send('Profiler.stop');

  // Self time per node, then by package (the bundle's "// node_modules/<pkg>/…" section comments) and function.
  const bundle = readFileSync(join(here, 'dist-profile', 'app.js'), 'utf8').split('\n');
  const sectionOf = [];
  let current = '(spike)';
  for (let i = 0; i < bundle.length; i++) {
    const m = /^\/\/ (?:node_modules\/((?:@[^/]+\/)?[^/]+)|(\S+))/.exec(bundle[i]);
    if (m) current = m[1] ?? (m[2].startsWith('shared/') || m[2].startsWith('browser/') ? '(spike)' : current);
    sectionOf[i] = current;
  }
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byPkg = new Map(), byFn = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    total += us;
    const f = node.callFrame;
    const pkg = f.url.endsWith('/app.js') ? sectionOf[f.lineNumber] ?? '?' : f.url ? f.url : `(${f.functionName || 'native'})`;
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
    const fn = `${pkg} ${f.functionName || '(anonymous)'}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v / 1000), `${Math.round((v / total) * 100)}%`]);
  const out = { wallMs: wall, cpuSeconds, loadavg, sampledMs: Math.round(total / 1000), transfers: result.transfers, error: result.error, byPackage: top(byPkg, 15), byFunction: top(byFn, 25) };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'profile.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 1));
} catch (err) {
  console.error(`profile failed: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
