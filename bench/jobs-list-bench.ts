/**
 * `node dist/bench/jobs-list-bench.js [--contents N] [--runs R]`
 *
 * What naming each job's content costs `jobs list` (JobsApi.list / iterate, what the CLI and the
 * daemon's jobsList read): N contents with one job each, a page of 200 at the start, middle and
 * end, and the whole list walked a page (500, as iterate does) at a time, against the anchor of the same pages
 * without names (JobStore.list, the query `jobs list` ran before names were added).
 */
import { tmpdir } from 'node:os';
import { JobsApi } from '../src/api/jobs.js';
import { JobStore } from '../src/store/jobs.js';
import { buildBigLibrary } from '../test/support/big-library.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain, secs, timeSync } from './util.js';

const PAGE = 200;
/** What `iterate` (the CLI's `jobs list`) reads at a time. */
const WALK_PAGE = 500;
/** A page of the Jobs screen should not be what the user waits for. */
const TARGET_PAGE_S = 0.005;

async function main(): Promise<void> {
  const o = benchArgs('jobs-list-bench [--contents N] [--runs R]', { contents: { default: 100_000, min: 2_000 }, runs: { default: 21, min: 3 } }, []);
  const workDir = freshDir(tmpdir(), 'vss-jobs-list-');
  const summary = new Summary();
  try {
    const big = buildBigLibrary(workDir, { contents: o.contents });
    const lib = big.lib;
    const store = new JobStore(lib.db);
    const api = new JobsApi(lib, { lib, dataDir: big.dataDir, network: () => undefined });
    const total = store.counts().completed;
    if (total !== o.contents) throw new Error(`${total} jobs, not ${o.contents}`);
    const first = api.list({ limit: 1 }).items[0];
    if (!first?.name?.startsWith('IMG_')) throw new Error(`the first job is not named: ${JSON.stringify(first)}`);

    const maxId = (lib.db.prepare('SELECT MAX(id) AS m FROM jobs').get() as { m: number }).m;
    for (const [where, after] of [['start', 0], ['middle', Math.floor(maxId / 2)], ['end', maxId - PAGE]] as const) {
      const bare: number[] = [];
      const named: number[] = [];
      for (let r = 0; r < o.runs; r++) {
        bare.push(timeSync(() => store.list({ afterId: after, limit: PAGE })).s);
        named.push(timeSync(() => api.list({ after: String(after), limit: PAGE })).s);
      }
      const b = median(bare);
      const n = median(named);
      summary.add({ what: `a page of ${PAGE} at the ${where} (${o.contents} jobs)`, value: secs(n), ratio: `${ratio(n / b)} (bare ${secs(b)})`, target: `< ${secs(TARGET_PAGE_S)}`, ok: n < TARGET_PAGE_S });
    }

    const walkBare: number[] = [];
    const walkNamed: number[] = [];
    for (let r = 0; r < Math.min(o.runs, 5); r++) {
      walkBare.push(timeSync(() => {
        let n = 0;
        for (let after = 0, page = store.list({ afterId: 0, limit: WALK_PAGE }); page.length > 0; after = page.at(-1)!.id, page = store.list({ afterId: after, limit: WALK_PAGE })) n += page.length;
        return n;
      }).s);
      walkNamed.push(timeSync(() => {
        let n = 0;
        for (const _ of api.iterate()) n++;
        return n;
      }).s);
    }
    const wb = median(walkBare);
    const wn = median(walkNamed);
    summary.add({ what: `every job (${o.contents}), pages of ${WALK_PAGE}`, value: secs(wn), ratio: `${ratio(wn / wb)} (bare ${secs(wb)})`, target: '', ok: null });
    lib.close();
    summary.print();
  } finally {
    rmrf(workDir);
  }
}

runMain(import.meta.url, main);
