/**
 * `node dist/bench/guardian-status-bench.js [--contents N] [--runs R] [--keep]` (npm run bench:guardian)
 *
 * `guardian status` (issue 30: < 2 s over 1M contents) on a library of N synthetic contents
 * (default 1,000,000): 60% one file on drive A, 30% a file on drive A and one on drive B, 10% held
 * only by a paired device (its rows as a pull writes them); the library's policy 2 copies. Timed
 * against the anchor a count of copies cannot go below: the files of each content counted in one
 * bare grouped read (`SELECT content_id, COUNT(*) FROM entries … GROUP BY content_id`, summed in
 * SQL) on the same library.
 * The counts are checked against what was written before anything is timed.
 */
import { tmpdir } from 'node:os';
import { guardianStatus } from '../src/guardian/redundancy.js';
import { setPolicy } from '../src/guardian/policy.js';
import { contentUuidFor } from '../src/content/identity.js';
import { Installation } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import type { EntryFacts } from '../src/store/entries.js';
import type { PeerContentFacts } from '../src/store/peer-contents.js';
import type { PeerEntryFacts } from '../src/store/peer-entries.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, ratio, rmrf, runMain, secs, timeSync } from './util.js';

const TARGET_S = 2;
const PEER = '00000000-0000-4000-8000-0000000000bb';

async function main(): Promise<void> {
  const o = benchArgs('guardian-status-bench [--contents N] [--runs R] [--keep]', { contents: { default: 1_000_000, min: 1_000 }, runs: { default: 5, min: 1 } }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-guardian-status-');
  const summary = new Summary();
  try {
    const inst = new Installation({ dataDir: `${workDir}/data` });
    const lib = inst.createLibrary('Status', workDir, { makeCurrent: false });
    const fill = timeSync(() => fillLibrary(lib, o.contents));
    summary.add({ what: `insert ${o.contents} contents (60% once, 30% on two drives, 10% a paired device's)`, value: secs(fill.s), ratio: '', target: '', ok: null });

    const want = fill.value;
    const first = guardianStatus(lib);
    if (first.contents !== o.contents || first.safe.contents !== want.twice || first.single.contents !== want.once + want.peer) {
      throw new Error(`status counts ${JSON.stringify({ contents: first.contents, safe: first.safe.contents, single: first.single.contents })}, written ${JSON.stringify(want)}`);
    }
    // Raw on purpose: the anchor is the least a count of copies per content reads (each file's content, grouped; nothing else joined or judged).
    const anchor = lib.db.prepare("SELECT COUNT(*), TOTAL(n) FROM (SELECT content_id, COUNT(*) AS n FROM entries WHERE content_id IS NOT NULL AND kind = 'file' GROUP BY content_id)").raw();
    const statusRuns: number[] = [];
    const anchorRuns: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      collectGarbage();
      statusRuns.push(timeSync(() => guardianStatus(lib)).s);
      collectGarbage();
      anchorRuns.push(timeSync(() => anchor.get()).s);
    }
    const s = median(statusRuns);
    const a = median(anchorRuns);
    summary.add({ what: `guardian status over ${o.contents} contents`, value: secs(s), ratio: ratio(s / a), target: `< ${secs(TARGET_S)}`, ok: s < TARGET_S });
    summary.add({ what: '  anchor: bare count of files per content (GROUP BY content_id, in SQL)', value: secs(a), ratio: '1', target: '', ok: null });
    lib.close();
    console.log(`guardian-status-bench: ${o.contents} contents, ${o.runs} runs, medians`);
    summary.print();
  } finally {
    if (o.keep) console.log(`kept ${workDir}`);
    else rmrf(workDir);
  }
}

/** N contents written through the stores as scans and pulls write them; what each group holds, to check the counts by. */
function fillLibrary(lib: Library, n: number): { once: number; twice: number; peer: number } {
  const store = lib.store;
  const { locations, entries, contents, volumes } = store;
  const now = Date.now();
  const got = { once: 0, twice: 0, peer: 0 };
  store.transaction(() => {
    const drive = (fingerprint: string) => volumes.seen(lib.deviceId, { fingerprint, mount_point: `/mnt/${fingerprint}`, fs: 'ext4', capacity: 1e12, free: 1e11, removable: 1, read_only: 0 }, now).id;
    const loc = (i: number, name: string, volume: number) => {
      const id = locations.insert({ uuid: `00000000-0000-4000-8000-00000000000${i}`, device_id: lib.deviceId, name, path: `/mnt/${name}`, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, now);
      locations.setVolume(id, volume, name);
      return { id, root: entries.insertRoot(id, '', 0, now, now) };
    };
    const a = loc(1, 'A', drive('A'));
    const b = loc(2, 'B', drive('B'));
    store.devices.upsertPeer({ uuid: PEER, name: 'Laptop', publicKey: '', os: 'linux' }, now);
    store.peerLocations.replace(PEER, [{ location_id: 1, uuid: '00000000-0000-4000-8000-0000000000b1', name: 'Photos', path: '/Photos', index_mode: 'content', files: 0, dirs: 0, bytes: 0 }]);
    let dir = -1;
    const folders: Record<'a' | 'b', number> = { a: 0, b: 0 };
    const batch = { a: [] as EntryFacts[], aU: [] as string[], b: [] as EntryFacts[], bU: [] as string[], peer: [] as PeerEntryFacts[], peerC: [] as PeerContentFacts[] };
    const flush = () => {
      for (const [side, l] of [['a', a], ['b', b]] as const) {
        const files = side === 'a' ? batch.a : batch.b;
        const uuids = side === 'a' ? batch.aU : batch.bU;
        if (files.length === 0) continue;
        const ids = entries.insertMany(l.id, files, now);
        entries.linkContents(ids.map((id, j) => ({ file: { ...files[j]!, id, content_id: null }, uuid: uuids[j]!, verified: true })), now);
      }
      if (batch.peer.length > 0) {
        const ids = store.peerContents.putMany(PEER, batch.peerC);
        store.peerEntries.putMany(PEER, 1, `d${dir}`, batch.peer, 1, ids);
      }
      batch.a = []; batch.aU = []; batch.b = []; batch.bU = []; batch.peer = []; batch.peerC = [];
    };
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) {
        flush();
        dir = i / 1000;
        folders.a = entries.insert(a.id, { parent_id: a.root, name: `d${dir}`, rel_path: `d${dir}`, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
        folders.b = entries.insert(b.id, { parent_id: b.root, name: `d${dir}`, rel_path: `d${dir}`, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
      }
      const cas = (i + 1).toString(16).padStart(64, '0');
      const uuid = contentUuidFor(cas);
      const name = `IMG_${i}.jpg`;
      const size = 1000 + (i % 5000);
      const group = i % 10;
      if (group === 9) {
        got.peer++;
        batch.peer.push({ name, kind: 'file', size, mtime_ms: now, content_uuid: uuid, verified_at: now });
        batch.peerC.push({ content_uuid: uuid, cas_id: cas, cas_version: 1, kind: 'image', mime: 'image/jpeg', size, media_metadata: null });
        continue;
      }
      contents.insert({ uuid, cas_id: cas, cas_version: 1, kind: 'image', mime: 'image/jpeg', size, media_metadata: null, created_at: now });
      batch.a.push({ parent_id: folders.a, name, rel_path: `d${dir}/${name}`, kind: 'file', size, inode: i + 1, mtime_ms: now, link_target: null });
      batch.aU.push(uuid);
      if (group >= 6) {
        got.twice++;
        batch.b.push({ parent_id: folders.b, name, rel_path: `d${dir}/${name}`, kind: 'file', size, inode: n + i + 1, mtime_ms: now, link_target: null });
        batch.bU.push(uuid);
      } else {
        got.once++;
      }
    }
    flush();
  });
  // The library's policy set as a user sets it (the default numbers: the counts stand).
  setPolicy(lib, { copies: 2 }, now);
  return got;
}

runMain(import.meta.url, main);
