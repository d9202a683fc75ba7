/**
 * bench/tags-bench.ts (b): a metadata change made on device A, visible on device B. Two real
 * daemons (bench/library-daemons.ts: each its own data dir, started and paired through the real
 * CLI, on loopback); A holds a folder of SEED files in content mode. C changes are made through
 * A's daemon API (the client the CLI uses with a daemon running: `vss meta set`, `vss tag add`),
 * cycling favourite, rating, note and a tag, each on a content of its own where it can; half in
 * bursts (made back to back, then a pause once all arrived), half a trickle (one every
 * --trickle-ms, not waiting for the last to arrive). Each is timed from the call to its row in
 * B's database, polled read-only every POLL_MS (a CLI run would cost a process start, longer than
 * the resolution wanted). Anchor: the same change seen in A's own database by the same poller
 * (the API call and A's commit), so the ratio says what sync adds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { RemoteVss } from '../src/api/remote/remote-vss.js';
import { findRunningDaemon } from '../src/api/remote/status.js';
import type { LibraryClient } from '../src/api/client.js';
import { CLK_TCK, procSample } from './daemon-procs.js';
import { cliJson, device, libraryDb, pair, startDaemon, stopDaemon, waitFor, type Device } from './library-daemons.js';
import { Summary, ratio, secs } from './util.js';

const FOLDERS = 10;
const SEED = 200;
const POLL_MS = 10;
const BURST = 15;
const TRICKLE_MS = 100;
const TAGS = ['trip', 'family', 'work'];
const ms = (x: number) => secs(x / 1000);

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const KINDS = ['favorite', 'rating', 'note', 'tag'] as const;
type Kind = (typeof KINDS)[number];

interface Change {
  i: number;
  kind: Kind;
  content: string;
  value: boolean | number | string;
  burst: boolean;
  at: number;
  /** When the call answered; when A's and B's databases showed it. */
  answered?: number;
  onA?: number;
  onB?: number;
}

/** Whether DB shows change C (B's rows are the same tables as A's: shared data). */
function checker(db: Database.Database): (c: Change) => boolean {
  const meta = db.prepare('SELECT favorite, rating, note FROM user_metadata WHERE content_uuid = ?');
  const tagged = db.prepare('SELECT 1 FROM metadata_tag m JOIN tags t ON t.uuid = m.tag_uuid WHERE t.name = ? AND m.content_uuid = ? AND m.present = 1').pluck();
  return (c) => {
    if (c.kind === 'tag') return tagged.get(c.value, c.content) !== undefined;
    const row = meta.get(c.content) as { favorite: number; rating: number; note: string | null } | undefined;
    if (!row) return false;
    if (c.kind === 'favorite') return row.favorite === (c.value ? 1 : 0);
    if (c.kind === 'rating') return row.rating === c.value;
    return row.note === c.value;
  };
}

/** Change I: the next kind in turn on a content of its own (cycling through SEED), its value one the content does not have yet. */
function nextChange(i: number, contents: string[], state: Map<string, { favorite: boolean; rating: number }>, burst: boolean): Change {
  const kind = KINDS[i % KINDS.length]!;
  const content = contents[i % contents.length]!;
  const s = state.get(content) ?? { favorite: false, rating: 0 };
  state.set(content, s);
  let value: Change['value'];
  if (kind === 'favorite') value = s.favorite = !s.favorite;
  else if (kind === 'rating') value = s.rating = (s.rating % 5) + 1;
  else if (kind === 'note') value = `note ${i}`;
  else value = TAGS[Math.floor(i / 4) % TAGS.length]!;
  return { i, kind, content, value, burst, at: 0 };
}

async function make(lib: LibraryClient, c: Change): Promise<void> {
  c.at = performance.now();
  if (c.kind === 'tag') {
    const r = await lib.tags.add(c.value as string, [c.content]);
    if (r.changed !== 1) throw new Error(`tag ${c.value} on ${c.content}: changed ${r.changed}`);
  } else {
    await lib.meta.set([c.content], { [c.kind]: c.value });
  }
  c.answered = performance.now();
}

async function twoDaemons(dir: string): Promise<{ a: Device; b: Device; aDb: string; bDb: string; contents: string[] }> {
  const a = device('A', join(dir, 'a-data'));
  const b = device('B', join(dir, 'b-data'));
  const tree = join(dir, 'photos');
  for (let f = 0; f < FOLDERS; f++) mkdirSync(join(tree, `f${f}`), { recursive: true });
  for (let i = 0; i < SEED; i++) writeFileSync(join(tree, `f${i % FOLDERS}`, `seed${i}.txt`), `seed ${i}\n`);
  await cliJson(a, ['library', 'create', 'Home', '--path', join(dir, 'a-libs')]);
  for (const d of [a, b]) await cliJson(d, ['device', 'rename', d.name]);
  await startDaemon(a);
  await startDaemon(b);
  await cliJson(a, ['location', 'add', tree, '--name', 'Photos', '--mode', 'content']);
  await pair(a, b);
  const aDb = await libraryDb(a);
  const bDb = await waitFor('B\'s library after pairing', 30_000, async () => {
    const libs = await cliJson<unknown[]>(b, ['library', 'list']);
    return libs.length > 0 ? libraryDb(b) : undefined;
  }, 250);
  // Every seed file of A identified: the API names contents by uuid.
  const contents = await waitFor('A\'s contents', 60_000, () => {
    const db = new Database(aDb, { readonly: true, fileMustExist: true });
    try {
      const uuids = db.prepare('SELECT uuid FROM content_identities ORDER BY id').pluck().all() as string[];
      return uuids.length >= SEED ? uuids : undefined;
    } finally {
      db.close();
    }
  }, 200);
  return { a, b, aDb, bDb, contents };
}

export async function benchPropagation(o: { changes: number }, dir: string, summary: Summary): Promise<void> {
  mkdirSync(dir, { recursive: true });
  console.log(`(b) two daemons paired on loopback, ${SEED} contents on A…`);
  const p = await twoDaemons(dir);
  const remote = new RemoteVss(p.a.dataDir, findRunningDaemon(p.a.dataDir)!);
  try {
    await remote.withLibrary({}, async (lib) => {
      const aDb = new Database(p.aDb, { readonly: true, fileMustExist: true });
      const bDb = await waitFor('B\'s shared-data tables', 30_000, () => {
        const db = new Database(p.bDb, { readonly: true, fileMustExist: true });
        try {
          db.prepare('SELECT 1 FROM user_metadata LIMIT 1').get();
          return db;
        } catch {
          db.close();
          return undefined;
        }
      }, 200);
      const onA = checker(aDb);
      const onB = checker(bDb);
      const pending = new Set<Change>();
      const poll = setInterval(() => {
        if (pending.size === 0) return;
        const now = performance.now();
        for (const c of pending) {
          if (c.onA === undefined && onA(c)) c.onA = now;
          if (c.onB === undefined && onB(c)) c.onB = now;
          if (c.onA !== undefined && c.onB !== undefined) pending.delete(c);
        }
      }, POLL_MS);
      const allArrived = async (limitMs: number) => {
        const deadline = performance.now() + limitMs;
        while (pending.size > 0 && performance.now() < deadline) await sleep(POLL_MS);
        return pending.size === 0;
      };
      try {
        // The tags made, and the link warm: one change seen on B before any is timed.
        for (const t of TAGS) await lib.tags.create(t);
        const state = new Map<string, { favorite: boolean; rating: number }>();
        const warm = { ...nextChange(0, p.contents.slice(-1), state, false), kind: 'note' as const, value: 'warm-up' };
        await make(lib, warm);
        pending.add(warm);
        if (!(await allArrived(60_000))) throw new Error('the warm-up change did not reach B in 60 s');

        const all: Change[] = [];
        const half = Math.floor(o.changes / 2);
        const ticks0 = [procSample(p.a.pid!).ticks, procSample(p.b.pid!).ticks];
        const t0 = performance.now();
        for (let i = 0; i < half;) {
          for (let k = 0; k < BURST && i < half; k++, i++) {
            const c = nextChange(i, p.contents, state, true);
            all.push(c);
            await make(lib, c);
            pending.add(c);
          }
          if (!(await allArrived(20_000))) break;
          await sleep(300);
        }
        const tTrickle = performance.now();
        for (let i = half; i < o.changes; i++) {
          const wait = tTrickle + (i - half) * TRICKLE_MS - performance.now();
          if (wait > 0) await sleep(wait);
          const c = nextChange(i, p.contents, state, false);
          all.push(c);
          await make(lib, c);
          pending.add(c);
        }
        await allArrived(30_000);
        const took = performance.now() - t0;
        const cpu = [procSample(p.a.pid!).ticks - ticks0[0]!, procSample(p.b.pid!).ticks - ticks0[1]!].map((t) => t / CLK_TCK);

        const lost = all.filter((c) => c.onB === undefined);
        const lat = (cs: Change[], k: 'onA' | 'onB' | 'answered') => cs.filter((c) => c[k] !== undefined).map((c) => c[k]! - c.at);
        const line = (xs: number[]) => `p50 ${ms(quantile(xs, 0.5))}, p99 ${ms(quantile(xs, 0.99))}, max ${ms(Math.max(...xs))} (${xs.length})`;
        console.log(`(b) ${all.length} changes on A (${half} in bursts of ${BURST}, ${o.changes - half} one every ${TRICKLE_MS} ms) in ${secs(took / 1000)}; poll every ${POLL_MS} ms`);
        console.log(`    API call on A answered:          ${line(lat(all, 'answered'))}`);
        console.log(`    anchor, seen in A's database:    ${line(lat(all, 'onA'))}`);
        console.log(`    seen in B's database, bursts:    ${line(lat(all.filter((c) => c.burst), 'onB'))}`);
        console.log(`    seen in B's database, trickle:   ${line(lat(all.filter((c) => !c.burst), 'onB'))}`);
        for (const k of ['favorite', 'rating', 'note', 'tag'] as const) console.log(`    seen in B's database, ${`${k}:`.padEnd(10)}${line(lat(all.filter((c) => c.kind === k), 'onB'))}`);
        const added = all.filter((c) => c.onA !== undefined && c.onB !== undefined).map((c) => c.onB! - c.onA!);
        console.log(`    added by sync (A's row → B's):   ${line(added)}`);
        console.log(`    CPU over the run: A's daemon ${secs(cpu[0]!)}, B's ${secs(cpu[1]!)}`);
        if (lost.length > 0) console.log(`    NOT seen on B within the wait: ${lost.length}`);
        const bl = lat(all, 'onB');
        const al = lat(all, 'onA');
        summary.add({ what: `(b) change on A → in B's database, p99 (${all.length})`, value: ms(quantile(bl, 0.99)), ratio: `${ratio(quantile(bl, 0.99) / quantile(al, 0.99))} A's db`, target: '< 2 s, none lost', ok: quantile(bl, 0.99) < 2000 && lost.length === 0 });
        summary.add({ what: '    p50', value: ms(quantile(bl, 0.5)), ratio: `${ratio(quantile(bl, 0.5) / quantile(al, 0.5))} A's db`, target: '', ok: null });
        summary.add({ what: '    anchor: seen in A\'s database p50 / p99', value: `${ms(quantile(al, 0.5))} / ${ms(quantile(al, 0.99))}`, ratio: '', target: '', ok: null });
        summary.add({ what: `    the two daemons' CPU over ${all.length} changes, A / B`, value: `${secs(cpu[0]!)} / ${secs(cpu[1]!)}`, ratio: '', target: '', ok: null });
      } finally {
        clearInterval(poll);
        aDb.close();
        bDb.close();
      }
    });
  } finally {
    remote.close();
    await Promise.all([stopDaemon(p.a), stopDaemon(p.b)]);
  }
}
