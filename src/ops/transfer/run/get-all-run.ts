import { basename, dirname, resolve } from 'node:path';
import { CAS_WHOLE } from '../../../content/identity.js';
import { hashFileAsIs } from '../../../content/hash-file.js';
import { crashPoint } from '../../../core/crash-point.js';
import { VssError } from '../../../core/errors.js';
import type { JobOutcome, JobRunContext } from '../../../jobs/job-kind.js';
import type { JobRow } from '../../../jobs/states.js';
import { ConfinedRoot } from '../../../library/confine.js';
import type { Library } from '../../../library/library.js';
import { factsAt } from '../../../storage/local-tree.js';
import type { ContentRecord } from '../../../store/contents.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import { copyOriginal, copyTarget } from '../../../sync/library/get-original.js';
import { partialName } from '../../../sync/library/originals.js';
import type { OpNetwork } from '../../op.js';
import { mtimeOfItem, type GetAllParams } from '../get-all-plan.js';
import { runTransfer } from './run-transfer.js';
import type { Batch, Landed, PutContext, TransferTarget } from './target.js';

/** Items of the job held at once: a run goes through them a page at a time (memory stays flat for a million). */
const RUN_PAGE = 256;
/** Contents got at once (each its own stream: a bucket's objects, a device's originals). */
const IN_FLIGHT = 2;
/** Failures a result names (all are counted). */
const NAMED_FAILURES = 50;

/** What `content get --all` did: files copied and their bytes; already there (a run before); left out with why. */
export interface GetAllResult {
  dir: string;
  files: number;
  bytes: number;
  skipped: number;
  failed: number;
  /** The first NAMED_FAILURES left out: the content and why. */
  failures: Array<{ content_uuid: string; reason: string }>;
  /** Contents no copy of which this device can reach, counted at the end (only on another device's own disks as last heard, or nowhere). */
  unreachable: { files: number; bytes: number };
}

/**
 * The `content-get-all` job JOB: its items (one a content, to its place under the folder) handed
 * to the one item loop (`runTransfer`) a page at a time, each page a run of it, until none is left
 * to do; then its tally. A kill between pages or within one resumes at the first item not ended.
 */
export async function runGetAll(lib: Library, network: OpNetwork | undefined, job: JobRow, params: GetAllParams, ctx: JobRunContext): Promise<JobOutcome> {
  const items = lib.store.fileOpItems;
  const target = new GetAllTarget(lib, network, params.dir);
  // The job's bytes and what had ended, counted once: each page adds what it ended (a count of the
  // whole job at every page would make a job of a million items read its list thousands of times).
  const start = items.tally(job.id);
  let endedBefore = start.bytes - start.todo_bytes;
  for (let from = items.firstTodo(job.id); from !== undefined;) {
    // The loop's progress is of its page (what the page had ended already first): told as the job's.
    let pageFirst: number | undefined;
    let pageDone = 0;
    const progress = (done: number) => {
      pageFirst ??= done;
      pageDone = done;
      ctx.progress(endedBefore - pageFirst + done, start.bytes);
    };
    const out = await runTransfer(lib, job, target, { ...ctx, progress }, { op: 'copy', onConflict: 'keep-both', page: { from, limit: RUN_PAGE }, said: () => ({ note: '', result: null }) });
    if (out.state !== 'completed') return out;
    endedBefore += pageDone - (pageFirst ?? 0);
    const next = items.firstTodo(job.id, from);
    if (next !== undefined && next <= from) throw new VssError('IO', `item ${next} of job ${job.id} was not ended by its run`);
    from = next;
  }
  const t = items.tally(job.id);
  const failures = items.leftOut(job.id, NAMED_FAILURES).map((it) => ({ content_uuid: it.src, reason: it.note ?? 'no reason given' }));
  const result: GetAllResult = { dir: params.dir, files: t.done, bytes: t.done_bytes, skipped: t.kept, failed: t.left_out, failures, unreachable: lib.store.contentReach.unreachableFrom(lib.deviceId) };
  const note = `get: ${t.done} file${t.done === 1 ? '' : 's'} copied into ${params.dir}, verified${t.kept > 0 ? `; ${t.kept} there already` : ''}${t.left_out > 0 ? `; ${t.left_out} failed` : ''}`;
  return { state: 'completed', note, result: JSON.stringify(result) };
}

/**
 * Where a get-all's items land: each content copied by `copyOriginal` (the machinery of `content
 * get`: from this device, a bucket volume's object or location, else an online paired device;
 * written to a partial, verified against its content id, renamed into place, a taken name given
 * " (2)") into its folder under DIR, made inside DIR only. A file there already with the content's
 * bytes is kept as it is (a second run copies nothing again).
 */
class GetAllTarget implements TransferTarget {
  readonly inFlight = IN_FLIGHT;
  readonly landsHere = false;
  private readonly root: ConfinedRoot;

  constructor(private readonly lib: Library, private readonly network: OpNetwork | undefined, dir: string) {
    this.root = new ConfinedRoot(resolve(dir), 'the folder copied into', { rootMustExist: true });
  }

  batches(todo: readonly FileOpItemRecord[]): Batch[] {
    return todo.map((it) => ({ items: [it] }));
  }

  async put(b: Batch, ctx: PutContext): Promise<JobOutcome | undefined> {
    for (const it of b.items) {
      let landed: Landed;
      try {
        landed = await this.getOne(it, ctx);
      } catch (err) {
        // Stopped: the partial stays for the next run. Anything vss can name (no copy reachable, one that did not verify, a path refused) leaves this content out; the rest go on.
        if (ctx.signal.aborted || !(err instanceof VssError)) throw err;
        // What it left half written (an object that stopped authenticating mid-way) is no copy: gone with it.
        await Promise.resolve().then(() => copyTarget(dirname(this.root.path(it.dst ?? ''))).remove(partialName(it.src))).catch(() => undefined);
        ctx.leaveOut(it, err.message);
        continue;
      }
      await ctx.confirm([{ it, landed }]);
      // A test stops or kills the run here: one content landed and ended, the others in flight or to do.
      crashPoint('get-all:landed');
    }
    return undefined;
  }

  private async getOne(it: FileOpItemRecord, ctx: PutContext): Promise<Landed> {
    const content = this.lib.store.contents.byUuid(it.src);
    if (!content) throw new VssError('NOT_FOUND', `content ${it.src} is no longer known to the library`);
    // Refused when the recorded path could step out of the folder (its parts were made safe when planned: this is the last look).
    const path = this.root.path(it.dst ?? '');
    const folder = dirname(path);
    await this.root.makeFolderAsync(folder);
    if (await sameContentAt(path, content)) return { final: path, skipped: true, note: 'there already, the same bytes' };
    let sent = 0;
    const mtimeMs = mtimeOfItem(it.meta);
    const got = await copyOriginal(this.lib, { contentUuid: content.uuid, size: content.size, dir: folder, name: basename(path), ...(mtimeMs !== undefined ? { mtimeMs } : {}) }, this.network, {
      signal: ctx.signal,
      onProgress: (done) => {
        ctx.moved(Math.max(0, done - sent));
        sent = Math.max(sent, done);
      },
    });
    return { final: got.path };
  }

  /** The partials a cancelled job leaves (one per content not ended, in its folder), removed. */
  static async discard(lib: Library, job: JobRow, dir: string): Promise<void> {
    const root = new ConfinedRoot(resolve(dir), 'the folder copied into');
    for (let from = 0; ;) {
      const page = lib.store.fileOpItems.page(job.id, from, RUN_PAGE);
      for (const it of page) {
        if (it.state !== 'todo') continue;
        // A path refused or gone: nothing of this job's is there.
        await Promise.resolve().then(() => copyTarget(dirname(root.path(it.dst ?? ''))).remove(partialName(it.src))).catch(() => undefined);
      }
      if (page.length < RUN_PAGE) return;
      from = page[page.length - 1]!.idx + 1;
    }
  }
}

/** The partials of the `content-get-all` job JOB into DIR, removed (its cancel). */
export const discardGetAll = (lib: Library, job: JobRow, dir: string): Promise<void> => GetAllTarget.discard(lib, job, dir);

/** Whether PATH is a regular file holding CONTENT's bytes (its size, then its content id). */
async function sameContentAt(path: string, content: Pick<ContentRecord, 'size' | 'cas_id' | 'cas_version'>): Promise<boolean> {
  const f = factsAt(path);
  if (!f || f.kind !== 'file' || f.size !== content.size) return false;
  const id = await hashFileAsIs(path, content.cas_version === CAS_WHOLE ? Number.MAX_SAFE_INTEGER : 0);
  return id.ok && id.casId === content.cas_id;
}
