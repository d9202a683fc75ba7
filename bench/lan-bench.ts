/**
 * `npm run bench:lan` (`node dist/bench/lan-bench.js [--requests N] [--files F]`)
 *
 * What the home network costs a phone's reads (issue 44): the daemon serves the same API on its
 * LAN address over HTTPS (`daemon start --lan`) to a paired browser's session. Timed side by side
 * in one run, on one keep-alive connection each, interleaved: a page of 200 contents read the way
 * the web app on this machine reads it (loopback HTTP, bearer token: the anchor), and the same
 * page read over the LAN's HTTPS with a paired browser's cookie (its session looked up, its Host
 * and origin checked). The LAN address is 127.0.0.2 (VSS_LAN_ADDRESSES), so the link itself costs
 * the same on both sides: what is measured is TLS and the checks.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedCookie } from './support/paired-cookie.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain } from './util.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const VSS = join(resolve(HERE, '..', '..'), 'bin', 'vss');

function vss(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [VSS, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`vss ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** GET URL on AGENT with HEADERS: the milliseconds until the whole answer is in (200 only). */
function timedGet(mod: typeof http | typeof https, url: string, agent: http.Agent, headers: Record<string, string>): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((res, rej) => {
    const req = mod.get(url, { agent, headers, rejectUnauthorized: false, timeout: 30_000 }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`${url}: ${r.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 30 s`)));
    req.on('error', rej);
  });
}

async function main(): Promise<void> {
  const { requests, files } = benchArgs('lan-bench [--requests N] [--files F]', { requests: { default: 300, min: 10 }, files: { default: 1000, min: 200 } }, []);
  const dir = freshDir(tmpdir(), 'vss-lan-bench-');
  const env = { ...process.env, VSS_DATA_DIR: join(dir, 'data'), VSS_LAN_ADDRESSES: '127.0.0.2', VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, VSS_NO_DAEMON: undefined };
  try {
    const notes = join(dir, 'notes');
    mkdirSync(notes);
    for (let i = 0; i < files; i++) writeFileSync(join(notes, `note-${i}.txt`), `note ${i}\n`);
    vss(['library', 'create', 'Bench', '--path', dir], env);
    vss(['location', 'add', notes, '--mode', 'content'], env);
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.2', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    vss(['daemon', 'start', '--lan', '--lan-port', String(port)], env);
    const agents = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new https.Agent({ keepAlive: true, maxSockets: 1 })] as const;
    try {
      const status = JSON.parse(vss(['--json', 'daemon', 'status'], env)) as { http: string };
      const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
      const { url: pairUrl } = JSON.parse(vss(['--json', 'ui', 'pair'], env)) as { url: string };
      const cookie = await pairedCookie(pairUrl);
      const path = '/api/libraries/current/content?limit=200';
      const loopback = () => timedGet(http, `${status.http}${path}`, agents[0], { authorization: `Bearer ${token}` });
      const lan = () => timedGet(https, `https://127.0.0.2:${port}${path}`, agents[1], { cookie, 'sec-fetch-site': 'same-origin' });
      for (let i = 0; i < 20; i++) await Promise.all([loopback(), lan()]); // connections open, the daemon warm
      const ms = { loopback: [] as number[], lan: [] as number[] };
      for (let i = 0; i < requests; i++) {
        ms.loopback.push(await loopback());
        ms.lan.push(await lan());
      }
      const anchor = median(ms.loopback);
      const summary = new Summary();
      summary.add({ what: 'a page of 200 contents, loopback HTTP, bearer token (anchor)', value: `${anchor.toFixed(2)} ms`, ratio: '1.00×', target: '', ok: null });
      const m = median(ms.lan);
      summary.add({ what: 'the same page, home network HTTPS, a paired browser\'s cookie', value: `${m.toFixed(2)} ms`, ratio: ratio(m / anchor), target: '', ok: null });
      const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
      summary.add({ what: '  p95, loopback / home network', value: `${p95(ms.loopback).toFixed(2)} / ${p95(ms.lan).toFixed(2)} ms`, ratio: ratio(p95(ms.lan) / p95(ms.loopback)), target: '', ok: null });
      console.log(`median of ${requests} requests each, one keep-alive connection each, interleaved (${files} contents)`);
      summary.print();
    } finally {
      for (const a of agents) a.destroy();
      vss(['daemon', 'stop'], env);
    }
  } finally {
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
