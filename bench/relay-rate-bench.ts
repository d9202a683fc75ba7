/**
 * `node dist/bench/relay-rate-bench.js [--rate-mb R] [--mib M] [--runs N] [--keep]` (root, iptables)
 *
 * Issue 46, D7: a copy through a relay held to `daemon start --relay-rate R`. Before, every
 * relayed copy over a few MB was cut (each try got 3–9 MB, 5 tries spent, none finished at 2M and
 * 5M). Three real daemons in network namespaces, set up and paired as reach-bench.ts does (a relay
 * box, a laptop and a desktop in two homes behind NAT); the laptop's M MiB file (default 100)
 * copied to the desktop by `vss content get`, timed whole (the CLI) and as the job ran (its row's
 * start and finish):
 *  - anchor: through the relay without a rate (what the path carries here);
 *  - the relay restarted with `--relay-rate R` MB/s (default 5), --runs copies (default 2).
 * Each copy: MB/s and its share of R (target ≥ 90%), the job's tries (target 1) and the bytes it
 * took over the network (all of them: nothing resumed), and the round trip libp2p measures through
 * the full circuit (`devices list`'s rtt_ms, polled every 250 ms while it runs; before, a ping
 * waited seconds behind a 16 MiB frame). A copy that fails is counted (target 0) and the runs go
 * on. Prints a table (median and slowest) and one line of JSON. Every daemon is ended by its pid
 * and the namespaces removed, whatever happens.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeTwoHomes, twoHomesSkipReason, type TwoHomes } from '../test/net/two-homes.js';
import { cliJson, startDaemon, stopDaemon, waitFor, type Device } from './library-daemons.js';
import { api, reachedOf, RELAY_PORT, setUp, type Homes } from './reach-bench.js';
import { MiB, Summary, benchArgs, freshDir, median, num, rmrf, runMain, secs } from './util.js';

interface Copy { wallS: number; jobS: number; tries: number; received: number; rttMaxMs: number | null; rttSeen: number }
interface JobItem { content_uuid: string | null; attempts: number; started_at: number | null; finished_at: number | null }

/** One `content get` of the laptop's big file on the desktop, with the round trips seen meanwhile. */
async function copy(h: Homes, to: string, bytes: number): Promise<Copy> {
  const rtts: number[] = [];
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const rtt = (await api<Array<{ name: string; rtt_ms: number | null }>>(h.desktop, '/api/devices'))?.find((d) => d.name === 'Laptop')?.rtt_ms;
      if (typeof rtt === 'number') rtts.push(rtt);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const t = performance.now();
  try {
    const got = await cliJson<{ path: string; bytes_received: number; content_uuid: string }>(h.desktop, ['content', 'get', 'Laptop:/Loc/big.bin', '--to', to]);
    const wallS = (performance.now() - t) / 1000;
    rmSync(got.path, { force: true });
    const job = (await cliJson<JobItem[]>(h.desktop, ['jobs', 'list', '--kind', 'content-get'])).filter((j) => j.content_uuid === got.content_uuid && j.finished_at !== null).sort((a, b) => b.finished_at! - a.finished_at!)[0];
    const jobS = job?.started_at && job.finished_at ? (job.finished_at - job.started_at) / 1000 : wallS;
    return { wallS, jobS, tries: job?.attempts ?? NaN, received: got.bytes_received, rttMaxMs: rtts.length > 0 ? Math.max(...rtts) : null, rttSeen: rtts.length };
  } finally {
    polling = false;
    await poll;
  }
}

async function relayTo(h: Homes, rateArgs: string[]): Promise<void> {
  await stopDaemon(h.relay);
  await startDaemon(h.relay, ['--relay', ...rateArgs, '--listen', `/ip4/0.0.0.0/tcp/${RELAY_PORT}`]);
  await waitFor('the desktop reaches the laptop through the relay again', 60_000, async () => ((await reachedOf(h.desktop, 'Laptop')) === 'relay' ? true : undefined), 100);
}

async function main(): Promise<void> {
  const o = benchArgs('relay-rate-bench [--rate-mb R] [--mib M] [--runs N] [--keep]', {
    'rate-mb': { default: 5, min: 1 }, mib: { default: 100, min: 1 }, runs: { default: 2, min: 1 },
  }, ['keep']);
  const skip = twoHomesSkipReason();
  if (skip) {
    console.log(`relay-rate-bench skipped: ${skip}`);
    return;
  }
  const rate = o['rate-mb'] * 1_000_000;
  const bytes = o.mib * MiB;
  const work = freshDir(tmpdir(), 'vss-relay-rate-');
  let net: TwoHomes | undefined;
  const daemons: Device[] = [];
  const leftovers = (): void => {
    net?.remove();
    if (!o.keep) rmrf(work);
  };
  process.on('exit', leftovers);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  try {
    net = makeTwoHomes('rr', 238);
    console.log(`relay-rate-bench: a relay box and two homes behind NAT (network namespaces); ${o.mib} MiB file, --relay-rate ${o['rate-mb']}M`);
    const h = await setUp(net, work, o.mib, daemons);
    const to = join(work, 'desk');
    mkdirSync(to, { recursive: true });

    console.log('\n== anchor: through the relay without a rate ==');
    const anchor = await copy(h, to, bytes);
    console.log(`  ${secs(anchor.jobS)} (${num(bytes / 1e6 / anchor.jobS)} MB/s), ${anchor.tries} tr${anchor.tries === 1 ? 'y' : 'ies'}`);

    console.log(`\n== the relay restarted with --relay-rate ${o['rate-mb']}M, ${o.runs} copies ==`);
    await relayTo(h, ['--relay-rate', `${o['rate-mb']}M`]);
    const rated: Copy[] = [];
    // A copy that fails is counted and the runs go on: the target is 0 failures over N runs.
    const failures: string[] = [];
    for (let i = 0; i < o.runs; i++) {
      let c: Copy;
      try {
        c = await copy(h, to, bytes);
      } catch (e) {
        failures.push(`copy ${i + 1}: ${(e as Error).message}`);
        console.log(`  copy ${i + 1}: FAILED: ${(e as Error).message}`);
        continue;
      }
      rated.push(c);
      console.log(`  copy ${i + 1}: job ${secs(c.jobS)} (${num(bytes / 1e6 / c.jobS)} MB/s = ${num((bytes / c.jobS / rate) * 100)}% of the rate), CLI ${secs(c.wallS)}; ${c.tries} tr${c.tries === 1 ? 'y' : 'ies'}, ${num(c.received / MiB)} MiB over the network; round trip through the circuit at most ${c.rttMaxMs ?? '?'} ms (${c.rttSeen} looks)`);
    }
    await relayTo(h, ['--relay-rate', 'unlimited']);

    if (rated.length === 0) throw new Error(`every copy failed:\n${failures.join('\n')}`);
    const share = median(rated.map((c) => bytes / c.jobS / rate));
    const least = Math.min(...rated.map((c) => bytes / c.jobS / rate));
    const wallShare = median(rated.map((c) => bytes / c.wallS / rate));
    const tries = Math.max(...rated.map((c) => c.tries));
    const whole = rated.every((c) => c.received === bytes);
    const rtt = Math.max(...rated.map((c) => c.rttMaxMs ?? 0));
    const summary = new Summary();
    summary.add({ what: `copy of ${o.mib} MiB through a relay held to ${o['rate-mb']} MB/s (median of ${rated.length}, as the job ran)`, value: `${num((share * rate) / 1e6)} MB/s`, ratio: `${num(share * 100)}% of the rate`, target: '≥ 90%', ok: share >= 0.9 });
    summary.add({ what: '    the slowest copy (as the job ran)', value: `${num((least * rate) / 1e6)} MB/s`, ratio: `${num(least * 100)}% of the rate`, target: '≥ 90%', ok: least >= 0.9 });
    summary.add({ what: '    copies that failed', value: `${failures.length} of ${o.runs}`, ratio: '', target: '0', ok: failures.length === 0 });
    summary.add({ what: '    timed whole (the CLI)', value: `${num((wallShare * rate) / 1e6)} MB/s`, ratio: `${num(wallShare * 100)}% of the rate`, target: '', ok: null });
    summary.add({ what: '    tries a copy took (most), every byte over the network once', value: String(tries), ratio: whole ? 'nothing resumed' : 'RESUMED', target: '1', ok: tries === 1 && whole });
    summary.add({ what: '    round trip through the full circuit, at most', value: `${rtt} ms`, ratio: '', target: '', ok: null });
    summary.add({ what: '    anchor: the same copy through the relay without a rate', value: `${num(bytes / 1e6 / anchor.jobS)} MB/s`, ratio: `${num(bytes / anchor.jobS / rate)}× the rate`, target: '', ok: null });
    summary.print();
    console.log(JSON.stringify({
      bench: 'relay-rate', mib: o.mib, rate_mb_s: o['rate-mb'], share: Math.round(share * 1000) / 1000, share_min: Math.round(least * 1000) / 1000, failures: failures.length, share_cli: Math.round(wallShare * 1000) / 1000,
      tries, resumed: !whole, rtt_max_ms: rtt, anchor_mb_s: Math.round((bytes / 1e6 / anchor.jobS) * 10) / 10, copies: rated.length,
    }));
  } finally {
    await Promise.all(daemons.map((d) => stopDaemon(d)));
    net?.remove();
    net = undefined;
    if (!o.keep) rmrf(work);
    else console.log(`kept ${work}`);
    process.off('exit', leftovers);
  }
}

runMain(import.meta.url, main);
