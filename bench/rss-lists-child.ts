/**
 * One step of a scan in a process of its own, so the RSS benchmark (rss-lists-bench.ts) gets its
 * own peak RSS:
 *   node dist/bench/rss-lists-child.js queue <dataDir> <library> <locationId>   the queueing phase of a deep rescan
 *   node dist/bench/rss-lists-child.js live <dataDir> <library> <locationId>    Live Photo linking over the location
 *   node dist/bench/rss-lists-child.js bare <databaseFile>                      an anchor: better-sqlite3 iterating every content row
 * Prints one JSON line with what the step did.
 */
import Database from 'better-sqlite3';
import { Vss, linkLivePhotos, queueGeneration } from '../test/internals.js';

const SETTINGS = { ocrLanguages: ['eng'], models: {}, threads: 1 };

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'bare') {
    const db = new Database(args[0]!, { readonly: true });
    db.pragma('cache_size = -32000'); // as a library's connection has
    let n = 0;
    let bytes = 0;
    for (const row of db.prepare('SELECT uuid, cas_id, kind, mime, size FROM content_identities ORDER BY id').iterate()) {
      n++;
      bytes += JSON.stringify(row).length;
    }
    db.close();
    console.log(JSON.stringify({ rows: n, bytes }));
    return;
  }
  const [dataDir, library, loc] = args;
  const lib = new Vss({ dataDir: dataDir! }).openLibrary(library!);
  try {
    const locationId = Number(loc);
    if (mode === 'queue') {
      const r = queueGeneration(lib, { locationId, settings: SETTINGS });
      console.log(JSON.stringify({ pending: r.pending, queued: r.queued }));
    } else if (mode === 'live') {
      const { rows } = lib.db.prepare('SELECT COUNT(*) AS rows FROM entries WHERE location_id = ?').get(locationId) as { rows: number };
      const r = await linkLivePhotos({ lib, locationId, onSkip: () => {} });
      console.log(JSON.stringify({ entries: rows, livePhotos: r.livePhotos }));
    } else {
      throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    lib.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
