/**
 * The spike end to end: certificate, bundle, box, home, Chromium (playwright-core + @sparticuz/chromium),
 * the ciphertext check, the Node baselines; prints the measurements and writes results/latest.json.
 *
 *   node run-spike.mjs [--runs N]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumExecutable } from './chromium.mjs';
import { chromiumPid, cpuBetween, cpuTree, startNode, stopAll } from './procs.mjs';
import { DOWNLOAD_BYTES, LIBRARY_JSON, SEEDS, UPLOAD_BYTES, prng, thumbnail } from './shared/payloads.js';

const RUNS = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3 : 3;
// --two-port: the fallback (libp2p's own WSS listener on a second port); --trust-spki: Chromium trusts
// the box's key by its SPKI hash (--ignore-certificate-errors-spki-list) instead of ignoring HTTPS errors.
const TWO_PORT = process.argv.includes('--two-port');
const TRUST_SPKI = process.argv.includes('--trust-spki');
// --link RATE,DELAY: the home reaches the box through link.mjs (RATE MiB/s each way, DELAY ms one way): a home's uplink.
const LINK = process.argv.includes('--link') ? process.argv[process.argv.indexOf('--link') + 1].split(',').map(Number) : undefined;
// --webcrypto-key: the browser's key as a non-extractable WebCrypto CryptoKey in IndexedDB.
const KEY = process.argv.includes('--webcrypto-key') ? '&key=webcrypto' : '';
const here = new URL('.', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'spike-wss-run-'));
const results = { when: new Date().toISOString(), node: process.version, runs: RUNS, mode: TWO_PORT ? 'two-port' : 'one-port', trust: TRUST_SPKI ? 'spki-pin' : 'ignoreHTTPSErrors', keyStorage: KEY ? 'webcrypto (non-extractable)' : 'protobuf bytes', link: LINK ? { MiBps: LINK[0], delayMs: LINK[1] } : 'loopback, unlimited' };
const log = (s) => process.stderr.write(`${s}\n`);
const ms = (x) => (x === undefined ? '-' : Math.round(x));
let browser;

function certificate() {
  // A self-signed certificate for the box, made now: 127.0.0.1 and a name.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=box.test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:box.test,DNS:localhost',
    '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')], { stdio: 'ignore', timeout: 20_000 });
  // Its SPKI hash: what Chromium's --ignore-certificate-errors-spki-list would pin instead of ignoring every error.
  const der = execFileSync('sh', ['-c', `openssl x509 -in '${join(work, 'cert.pem')}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`], { timeout: 20_000 });
  return der.toString().trim();
}

/** Look for the plaintext in what the box forwarded. */
function scanCapture(dir) {
  const toHome = readFileSync(join(dir, 'toHome.bin'));
  const toDialer = readFileSync(join(dir, 'toDialer.bin'));
  const all = Buffer.concat([toHome, toDialer]);
  const windows = (bytes, n) => Array.from({ length: n }, (_, i) => Buffer.from(bytes.subarray(Math.floor((bytes.byteLength - 32) * i / (n - 1))).subarray(0, 32)));
  const needles = {
    'JSON marker': [Buffer.from(LIBRARY_JSON.marker)],
    'JSON text "Holidays 2026"': [Buffer.from(LIBRARY_JSON.library)],
    'JSON body (whole)': [Buffer.from(JSON.stringify(LIBRARY_JSON))],
    'request path "/api/library"': [Buffer.from('/api/library')],
    'header "content-type"': [Buffer.from('content-type')],
    'image BMP header': [Buffer.from(thumbnail().subarray(0, 32))],
    'image pixels (20 × 32-byte windows)': windows(thumbnail().subarray(54), 20),
    'upload body (20 windows)': windows(prng(SEEDS.upload, UPLOAD_BYTES), 20),
    'download body (20 windows)': windows(prng(SEEDS.download, DOWNLOAD_BYTES), 20),
  };
  const found = {};
  for (const [name, list] of Object.entries(needles)) found[name] = list.filter((n) => all.indexOf(n) >= 0).length + ` of ${list.length}`;
  // A control: the same search finds every needle in plaintext (the payloads laid side by side).
  const plain = Buffer.concat([Buffer.from(JSON.stringify(LIBRARY_JSON)), Buffer.from('GET /api/library content-type'), thumbnail(), prng(SEEDS.upload, UPLOAD_BYTES), prng(SEEDS.download, DOWNLOAD_BYTES)]);
  const control = Object.values(needles).flat().every((n) => plain.indexOf(n) >= 0);
  const gz = (b) => Math.round(gzipSync(b.subarray(0, 4 * 1024 * 1024), { level: 6 }).length / Math.min(b.length, 4 * 1024 * 1024) * 1000) / 1000;
  return {
    bytesToHome: toHome.length, bytesToBrowser: toDialer.length,
    gzipRatio: { toHome: gz(toHome), toBrowser: gz(toDialer), plaintextJson: gz(Buffer.from(JSON.stringify(LIBRARY_JSON).repeat(50))) },
    found, controlFindsAllInPlaintext: control,
  };
}

async function pageRun(context, url, timeoutMs = 90_000, beforeClose = async () => {}) {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(url, { timeout: 20_000 });
  const handle = await page.waitForFunction(() => window.spikeResult, undefined, { timeout: timeoutMs, polling: 100 });
  const result = await handle.jsonValue();
  if (consoleErrors.length) result.consoleErrors = consoleErrors.slice(0, 10);
  // Sampled while the page (its renderer process) is still there.
  await beforeClose(result);
  await page.close();
  return result;
}

async function peerIdOfPage(context, url) {
  const page = await context.newPage();
  await page.goto(url, { timeout: 20_000 });
  const h = await page.waitForFunction(() => window.spike?.peerId && { peerId: window.spike.peerId, fresh: window.spike.freshKey }, undefined, { timeout: 20_000 });
  const v = await h.jsonValue();
  await page.close();
  return v;
}

const median = (xs) => { const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : undefined; };

try {
  // 1. certificate and bundle
  const spki = certificate();
  results.bundle = JSON.parse(execFileSync(process.execPath, ['build.mjs'], { cwd: here, encoding: 'utf8', timeout: 120_000 }));
  log(`bundle: ${results.bundle.minBytes} B min, ${results.bundle.gzipBytes} B min+gzip`);

  // 2. box and home
  const box = startNode('box.mjs', [join(work, 'cert.pem'), join(work, 'key.pem'), join(here, 'dist')], { env: TWO_PORT ? { BOX_MODE: 'two-port' } : {} });
  const b = await box.next((o) => o.ready);
  let homeToBox = b.tcp;
  if (LINK) {
    const link = startNode('link.mjs', [b.tcp.split('/tcp/')[1].split('/')[0], String(LINK[0]), String(LINK[1])]);
    const l = await link.next((o) => o.ready);
    homeToBox = `/ip4/127.0.0.1/tcp/${l.port}/p2p/${b.peerId}`;
  }
  const home = startNode('home.mjs', [homeToBox]);
  const homeId = (await home.next((o) => o.peerId)).peerId;
  await box.command(`allow ${homeId}`);
  home.child.stdin.write('start\n');
  const h = await home.next((o) => o.ready);
  results.box = { peerId: b.peerId, tcp: b.tcp, httpsPort: b.httpsPort, wss: b.wss, announced: b.announced };
  results.home = { peerId: h.peerId, relayed: h.relayed };
  log(`box ${b.peerId} https://127.0.0.1:${b.httpsPort}  home ${h.peerId}`);

  // 3. Chromium
  const exe = await chromiumExecutable();
  let t = performance.now();
  browser = await chromium.launch({ executablePath: exe.executablePath, env: { ...process.env, ...exe.env }, timeout: 30_000, args: TRUST_SPKI ? [`--ignore-certificate-errors-spki-list=${spki}`] : [] });
  results.browser = { version: browser.version(), launchMs: Math.round(performance.now() - t) };
  const origin = `https://127.0.0.1:${b.httpsPort}`;
  const context = await browser.newContext({ ignoreHTTPSErrors: !TRUST_SPKI });
  context.setDefaultTimeout(30_000);

  // 3a. the key: made on the first visit, the same after a reload (IndexedDB)
  const first = await peerIdOfPage(context, `${origin}/?${KEY}`);
  const again = await peerIdOfPage(context, `${origin}/?${KEY}`);
  results.key = { firstVisit: first, afterReload: again, samePeerId: first.peerId === again.peerId };
  log(`browser peer ${first.peerId} (fresh ${first.fresh}); after reload ${again.peerId} (fresh ${again.fresh})`);
  await box.command(`allow ${first.peerId}`);
  await home.command(`allow ${first.peerId}`);
  const url = (extra = '') => `${origin}/?auto=1&home=${h.peerId}${KEY}${extra}`;

  // 4. what the box forwards: one full run captured
  await box.command(`capture ${join(work, 'capture')}`);
  const captured = await pageRun(context, url());
  const cap = await box.command('capture stop', 30_000);
  if (captured.error) throw new Error(`captured run failed: ${captured.error}`);
  results.ciphertext = { circuits: cap.circuits, ...scanCapture(join(work, 'capture')) };
  results.boxStats = await box.command('stats');
  log(`capture: ${JSON.stringify(results.ciphertext)}`);

  // 5. the Node peers (started now, each run on "go"): TCP as devices reach the box, and the box's
  // WSS port (the browser's path without the browser)
  const peers = {};
  for (const [name, addr, opts] of [
    ['nodeTcp', b.tcp, {}],
    ['nodeWss', b.wss, { nodeArgs: ['--experimental-websocket', '--no-warnings'], env: { NODE_EXTRA_CA_CERTS: join(work, 'cert.pem') } }],
  ]) {
    const peer = startNode('node-peer.mjs', [addr, h.peerId, String(RUNS)], opts);
    const id = (await peer.next((o) => o.peerId)).peerId;
    await box.command(`allow ${id}`);
    await home.command(`allow ${id}`);
    peers[name] = peer;
    results[name] = [];
  }

  // 6. measured runs, interleaved (browser, Node over TCP, Node over WSS) so that each sees the same
  // load from the rest of the machine; the CPU seconds each process used in the run are noted
  const cpuNow = (client) => ({ box: cpuTree(box.pid), home: cpuTree(home.pid), client: cpuTree(client) });
  const cpuSpent = (a, z) => {
    const c = cpuBetween(a.client, z.client);
    return { client: c.total, box: cpuBetween(a.box, z.box).total, home: cpuBetween(a.home, z.home).total, clientByProcess: c.byKind };
  };
  results.browserRuns = [];
  const browserPid = chromiumPid();
  for (let i = 0; i < RUNS; i++) {
    let c0 = cpuNow(browserPid);
    const r = await pageRun(context, url(), 90_000, async (res) => { res.cpu = cpuSpent(c0, cpuNow(browserPid)); });
    r.loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    results.browserRuns.push(r);
    if (r.error) log(`browser run ${i + 1}: ${r.error}`);
    else log(`browser run ${i + 1}: connected ${r.marks.connected} ms, json ${r.marks.firstJson} ms, image ${r.marks.imageShown} ms, up ${r.transfers.httpUploadMiBps} MiB/s, down ${r.transfers.httpDownloadMiBps} MiB/s, cpu ${JSON.stringify(r.cpu)}`);
    for (const name of ['nodeTcp', 'nodeWss']) {
      const peer = peers[name];
      c0 = cpuNow(peer.pid);
      peer.child.stdin.write('go\n');
      const n = await peer.next((o) => o.run, 120_000);
      n.cpu = cpuSpent(c0, cpuNow(peer.pid));
      n.loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      results[name].push(n);
      if (n.error) log(`${name} run ${i + 1}: ${n.error}`);
      else log(`${name} run ${i + 1}: connect ${ms(n.connectMs)} ms, json +${ms(n.firstJsonMs)} ms, up ${n.transfers.httpUploadMiBps} MiB/s, down ${n.transfers.httpDownloadMiBps} MiB/s, raw up ${n.transfers.rawUploadMiBps}, raw down ${n.transfers.rawDownloadMiBps}, cpu ${JSON.stringify(n.cpu)}`);
    }
  }

  // 6b. the box by name (https://localhost:PORT, the address made from the page's own location:
  // /dns/localhost/tcp/PORT/tls/ws/...): another origin, so another IndexedDB and another key
  if (!TWO_PORT) {
    const byName = `https://localhost:${b.httpsPort}`;
    const named = await peerIdOfPage(context, `${byName}/?${KEY}`);
    await box.command(`allow ${named.peerId}`);
    await home.command(`allow ${named.peerId}`);
    const r = await pageRun(context, `${byName}/?auto=1&home=${h.peerId}${KEY}&transfers=0&via=location`, 40_000);
    results.byName = { addr: r.addr, ok: !r.error, error: r.error, firstJsonMs: r.marks?.firstJson, peerId: r.peerId };
    log(`by name: ${JSON.stringify(results.byName)}`);
  }

  // 6c. libp2p's default browser gater (no denyDialMultiaddr of our own) and a box on 127.0.0.1
  const gated = await pageRun(context, url('&transfers=0&gater=default'), 40_000);
  results.defaultGater = gated.error ?? 'connected';
  log(`default browser gater: ${results.defaultGater}`);

  // 7. a stranger (a fresh browser profile: another key): the box refuses, and with the box open the home does
  const stranger = await browser.newContext({ ignoreHTTPSErrors: !TRUST_SPKI });
  const boxRefuses = await pageRun(stranger, url('&transfers=0'), 40_000);
  await box.command('open on');
  const homeRefuses = await pageRun(stranger, url('&transfers=0'), 40_000);
  await box.command('open off');
  results.stranger = { peerId: boxRefuses.peerId, boxRefuses: boxRefuses.error ?? 'NOT REFUSED', homeRefuses: homeRefuses.error ?? 'NOT REFUSED', homeLog: home.stderr.filter((l) => l.includes('refused')).slice(-3), boxLog: box.stderr.filter((l) => l.includes('refused')).slice(-3) };
  await stranger.close();
  results.boxStatsEnd = await box.command('stats');
  await context.close();
  await browser.close();
  browser = undefined;

  // 8. summary
  const col = (runs, f) => runs.filter((r) => !r.error).map(f);
  const B = results.browserRuns, T = results.nodeTcp, W = results.nodeWss;
  const s = {
    browser: {
      connectedMs: col(B, (r) => r.marks.connected), firstJsonMs: col(B, (r) => r.marks.firstJson), imageShownMs: col(B, (r) => r.marks.imageShown),
      dialMs: col(B, (r) => r.marks.connected - r.marks.boxInfo),
      marks: col(B, (r) => r.marks), ndjsonFirstLineMs: col(B, (r) => Math.round(r.events.firstLineMs)),
      httpUpMiBps: col(B, (r) => r.transfers.httpUploadMiBps), httpDownMiBps: col(B, (r) => r.transfers.httpDownloadMiBps),
      rawUpMiBps: col(B, (r) => r.transfers.rawUploadMiBps), rawDownMiBps: col(B, (r) => r.transfers.rawDownloadMiBps),
      cpu: col(B, (r) => r.cpu),
    },
  };
  for (const [name, runs] of [['nodeTcp', T], ['nodeWss', W]]) {
    s[name] = {
      connectMs: col(runs, (r) => Math.round(r.connectMs)), firstJsonAfterConnectMs: col(runs, (r) => Math.round(r.firstJsonMs)),
      httpUpMiBps: col(runs, (r) => r.transfers.httpUploadMiBps), httpDownMiBps: col(runs, (r) => r.transfers.httpDownloadMiBps),
      rawUpMiBps: col(runs, (r) => r.transfers.rawUploadMiBps), rawDownMiBps: col(runs, (r) => r.transfers.rawDownloadMiBps),
      cpu: col(runs, (r) => r.cpu),
    };
  }
  const pct = (a, b) => (a !== undefined && b ? Math.round((a / b) * 100) : undefined);
  s.ratios = {
    'browser HTTP upload / Node TCP raw upload': pct(median(s.browser.httpUpMiBps), median(s.nodeTcp.rawUpMiBps)),
    'browser HTTP download / Node TCP raw download': pct(median(s.browser.httpDownMiBps), median(s.nodeTcp.rawDownMiBps)),
    'browser HTTP upload / Node TCP HTTP upload': pct(median(s.browser.httpUpMiBps), median(s.nodeTcp.httpUpMiBps)),
    'browser HTTP download / Node TCP HTTP download': pct(median(s.browser.httpDownMiBps), median(s.nodeTcp.httpDownMiBps)),
    'browser raw upload / Node TCP raw upload': pct(median(s.browser.rawUpMiBps), median(s.nodeTcp.rawUpMiBps)),
    'browser raw download / Node TCP raw download': pct(median(s.browser.rawDownMiBps), median(s.nodeTcp.rawDownMiBps)),
  };
  results.summary = s;
  results.loadavg = readFileSync('/proc/loadavg', 'utf8').trim();

  mkdirSync(join(here, 'results'), { recursive: true });
  const label = [results.mode, LINK ? `link${LINK[0]}MiBps-${LINK[1]}ms` : 'loopback', TRUST_SPKI ? 'spki' : '', KEY ? 'webcrypto' : '', `${RUNS}runs`].filter(Boolean).join('-');
  results.label = label;
  writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(here, 'results', `${label}.json`), JSON.stringify(results, null, 2) + '\n');
  const line = (k, v) => console.log(`${k.padEnd(48)} ${Array.isArray(v) ? v.join(' | ') : v}`);
  console.log(`\n== vss spike: browser -> WSS -> box -> Noise -> home (${results.mode}, certificate: ${results.trust}, key: ${results.keyStorage}, home link: ${JSON.stringify(results.link)}) ==`);
  line('box HTTPS / WSS', `https://127.0.0.1:${b.httpsPort}/  ${b.wss}`);
  line('Chromium', `${results.browser.version} (launch ${results.browser.launchMs} ms)`);
  line('bundle min / min+gzip / min+brotli (bytes)', `${results.bundle.minBytes} / ${results.bundle.gzipBytes} / ${results.bundle.brotliBytes}`);
  line('same peer id after reload (IndexedDB)', `${results.key.samePeerId} (${first.peerId})`);
  line('page open -> connected to home (ms)', s.browser.connectedMs);
  line('page open -> first JSON (ms)', s.browser.firstJsonMs);
  line('page open -> image shown (ms)', s.browser.imageShownMs);
  line('  of which the dial (box.json -> connected) (ms)', s.browser.dialMs);
  line('  marks: script/key/node started/box.json (ms)', s.browser.marks.map((m) => `${m.scriptStart}/${m.keyLoaded}/${m.nodeStarted}/${m.boxInfo}`));
  line('NDJSON first line over p2p (ms; lines 300 ms apart)', s.browser.ndjsonFirstLineMs);
  for (const [who, v] of [['browser', s.browser], ['node over TCP', s.nodeTcp], ['node over WSS', s.nodeWss]]) {
    line(`${who}: 5 MiB HTTP up / down (MiB/s)`, `${v.httpUpMiBps.join(', ')} / ${v.httpDownMiBps.join(', ')}`);
    line(`${who}: 5 MiB raw stream up / down (MiB/s)`, `${v.rawUpMiBps.join(', ')} / ${v.rawDownMiBps.join(', ')}`);
  }
  const cpuLine = (v) => v.cpu.map((c) => `${c.client}/${c.box}/${c.home}`).join(', ');
  line('CPU s per run, client/box/home: browser', cpuLine(s.browser));
  line('CPU s per run, client/box/home: node over TCP', cpuLine(s.nodeTcp));
  line('CPU s per run, client/box/home: node over WSS', cpuLine(s.nodeWss));
  line('  browser CPU by process (first run)', JSON.stringify(s.browser.cpu[0]?.clientByProcess ?? {}));
  line('load average at each browser run', results.browserRuns.map((r) => r.loadavg));
  for (const [k, v] of Object.entries(s.ratios)) line(`${k} (%, medians)`, v);
  line('ciphertext: plaintext found in what the box forwarded', JSON.stringify(results.ciphertext.found));
  line('ciphertext: bytes box->home / box->browser', `${results.ciphertext.bytesToHome} / ${results.ciphertext.bytesToBrowser} (gzip ratio ${results.ciphertext.gzipRatio.toHome} / ${results.ciphertext.gzipRatio.toBrowser}; JSON text: ${results.ciphertext.gzipRatio.plaintextJson})`);
  if (results.byName) line('box by name (/dns/localhost/…/tls/ws)', results.byName.ok ? `ok, first JSON ${results.byName.firstJsonMs} ms: ${results.byName.addr}` : results.byName.error);
  line('libp2p default browser gater, box on 127.0.0.1', results.defaultGater);
  line('stranger key: box says', results.stranger.boxRefuses);
  line('stranger key, box open: home says', results.stranger.homeRefuses);
  line('load average', results.loadavg);
  console.log(`\nfull results: ${join(here, 'results', `${label}.json`)}  (certificate SPKI sha256: ${spki})`);
} catch (err) {
  console.error(`spike failed: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
