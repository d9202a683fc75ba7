/**
 * relay-rate-bench's `--outage S` (issue 46 item 5, faults D8): the relay box down S seconds in
 * the middle of a copy through it, and the copy finishing when it returns. Once a quarter of the
 * file is copied (D8 killed the box at 51 MB of 200), the box's daemon is killed (SIGKILL, by its
 * pid) and started again S seconds later with no flags: it keeps --relay, --listen and
 * --relay-rate as device settings. The copy must finish, byte-identical, resuming after the bytes
 * its partial holds; its tries are the job's. Every wait is bounded by S and a margin.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './daemon-procs.js';
import { cliJson, startDaemon, stopDaemon } from './library-daemons.js';
import { reachedOf, type Homes } from './reach-bench.js';

interface JobNow { id: number; content_uuid: string | null; status: string; attempts: number; done_bytes: number; note: string | null; error: string | null; started_at: number | null; finished_at: number | null }

export interface Outage {
  /** Seconds from the kill to the box's daemon started again (asked), and that start took (until it runs). */
  downS: number;
  startS: number;
  /** The job's bytes done when the box was killed, and its partial's size when it came back. */
  doneAtKill: number;
  partialAtReturn: number | null;
  /** The job while the box was down: its tries at most, and the last note it gave. */
  triesWhileDown: number;
  noteWhileDown: string | null;
  /** Seconds after the box's daemon runs again (its start returned): the desktop reached the laptop through it, the copy's bytes moved again, the copy finished. */
  pathBackS: number | null;
  wentOnS: number | null;
  finishedS: number;
}

/** The copy that is running on HOMES' desktop now: its job. */
async function runningGet(h: Homes): Promise<JobNow | undefined> {
  const jobs = await cliJson<JobNow[]>(h.desktop, ['jobs', 'list', '--kind', 'content-get']);
  return jobs.filter((j) => j.finished_at === null).sort((a, b) => b.id - a.id)[0];
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/**
 * Run COPYING (a `content get` already started on the desktop, into TO) through an outage of the
 * box of OUTAGE_S seconds; its result once it finishes, with what the outage saw. MARGIN_S bounds
 * the waits besides the outage itself.
 */
export async function throughOutage<T>(h: Homes, to: string, bytes: number, outageS: number, marginS: number, copying: Promise<T>): Promise<{ value: T; outage: Outage }> {
  let ended = false;
  const settled = copying.finally(() => (ended = true));
  settled.catch(() => undefined); // its failure is awaited below
  // A quarter of the file copied, then the box killed by its pid.
  const partDeadline = Date.now() + marginS * 1000;
  let job: JobNow | undefined;
  for (;;) {
    if (ended) {
      await settled;
      throw new Error('the copy finished before a quarter of it was copied: no outage happened');
    }
    job = await runningGet(h).catch(() => undefined);
    if (job && job.done_bytes >= bytes / 4) break;
    if (Date.now() > partDeadline) throw new Error(`the copy did not reach a quarter of the file within ${marginS} s (${job?.done_bytes ?? 0} bytes)`);
    await sleep(100);
  }
  const pid = h.relay.pid!;
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  if (alive(pid)) throw new Error(`the box's daemon (pid ${pid}) still runs 5 s after SIGKILL`);
  await stopDaemon(h.relay); // forgets the pid (the daemon is gone: nothing else to stop)
  const partial = job.content_uuid ? join(to, `.vss-partial-${job.content_uuid}`) : null;
  console.log(`  the box's daemon killed (pid ${pid}) at ${(job.done_bytes / 1048576).toFixed(1)} MiB of ${(bytes / 1048576).toFixed(0)}; down ${outageS} s`);

  // Down: the job looked at every 5 s (its tries, its note), the copy not expected to end.
  let triesWhileDown = job.attempts;
  let noteWhileDown: string | null = job.note;
  while (Date.now() < killedAt + outageS * 1000) {
    const j = await runningGet(h).catch(() => undefined);
    if (j && j.id === job.id) {
      triesWhileDown = Math.max(triesWhileDown, j.attempts);
      noteWhileDown = j.note ?? j.error ?? noteWhileDown;
    }
    if (ended) break;
    await sleep(Math.min(5_000, Math.max(0, killedAt + outageS * 1000 - Date.now())));
  }
  const partialAtReturn = partial ? sizeOf(partial) : null;
  console.log(`  while down: ${triesWhileDown} tr${triesWhileDown === 1 ? 'y' : 'ies'} spent, note ${JSON.stringify(noteWhileDown)}; partial ${partialAtReturn === null ? '?' : (partialAtReturn / 1048576).toFixed(1)} MiB`);

  // Back, with no flags: the path, the copy's bytes moving again, its end.
  const startAt = Date.now();
  await startDaemon(h.relay, []);
  const backAt = Date.now();
  const downS = (startAt - killedAt) / 1000;
  const startS = (backAt - startAt) / 1000;
  const since = (): number => (Date.now() - backAt) / 1000;
  const from = Math.max(partialAtReturn ?? 0, job.done_bytes);
  let pathBackS: number | null = null;
  let wentOnS: number | null = null;
  const deadline = backAt + marginS * 1000;
  while (!ended && Date.now() < deadline && (pathBackS === null || wentOnS === null)) {
    if (pathBackS === null && (await reachedOf(h.desktop, 'Laptop').catch(() => undefined)) === 'relay') pathBackS = since();
    const j = wentOnS === null ? await runningGet(h).catch(() => undefined) : undefined;
    if (j && j.id === job.id && j.status === 'running' && j.done_bytes > from) wentOnS = since();
    await sleep(250);
  }
  const timer = new AbortController();
  const late = sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).then(() => {
    throw new Error(`the copy did not finish within ${marginS} s of the box's return`);
  }, () => undefined as never);
  try {
    const value = await Promise.race([settled, late]);
    return { value, outage: { downS, startS, doneAtKill: job.done_bytes, partialAtReturn, triesWhileDown, noteWhileDown, pathBackS, wentOnS, finishedS: since() } };
  } finally {
    timer.abort();
  }
}
