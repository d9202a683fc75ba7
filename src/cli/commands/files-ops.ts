import type { Command } from 'commander';
import type { FileOpOutcome, GuardianBelowPolicy, LibraryClient, OpPreview } from '../../api/index.js';
import { asTypedPlace } from '../../core/address.js';
import { DEFAULT_ON_CONFLICT } from '../../api/words.js';
import { globals, withLibrary } from '../context.js';
import { typedSource, withFileOpFlags, type FileOpCliFlags } from '../file-op-flags.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';

/**
 * `vss files copy|move|delete` (DESIGN §17): each one durable job, verified, that updates the
 * index itself. Through a daemon its job work runs it; without one it runs in this process, and
 * a job a kill left behind is taken up by the next `vss files` command (or the daemon). Where a
 * copy or move goes (a folder here, a paired device's, a bucket's) is the core's to tell: the
 * command hands over what was typed and its flags, the same for every destination.
 */
export function registerFileOpCommands(files: Command): void {
  for (const op of ['copy', 'move'] as const) {
    const cmd = files
      .command(`${op} <paths...>`)
      .usage('[options] SRC... DST (a SRC may be a content uuid: ' + (op === 'copy' ? 'one of its files here)' : 'all its files here)'))
      .description(op === 'copy'
        ? 'copy files and folders of your locations to DST (a folder, or a new name; or DEVICE:/LOCATION/PATH, a folder of a paired device; or s3://BUCKET/PREFIX/FOLDER, a bucket volume), each copy verified by a full BLAKE3'
        : 'move files and folders: a rename on the same drive, else copied, verified and flushed before the source is removed (DST may be DEVICE:/LOCATION/PATH)');
    withFileOpFlags(cmd, op).action(async function (this: Command, paths: string[], opts: FileOpCliFlags) {
      if (paths.length < 2) {
        this.error(`error: name at least one source and the destination (vss files ${op} SRC... DST)`, { exitCode: 2 });
      }
      const typed = paths[paths.length - 1]!;
      // `DST/`: a folder to put them in (made if need be), as with cp and mv.
      await fileOp(this, op, paths.slice(0, -1), typed, { ...opts, into: /[/\\]$/.test(typed) });
    });
  }

  const del = files
    .command('delete <paths...>')
    .description('delete files and folders of your locations (or contents by uuid: all their files here) into the trash, on their own drive and restorable for 30 days (vss trash): never refused for copy counts, and what then exists nowhere else or falls below its Guardian policy is named; the Guardian decides when the trash is emptied. With --permanent, for good: what leaves a content below its policy (its last copy too) is refused without --force');
  withFileOpFlags(del, 'delete').action(async function (this: Command, paths: string[], opts: FileOpCliFlags) {
    await fileOp(this, 'delete', paths, undefined, opts);
  });
}

/**
 * OP of SRCS to TO as typed, with FLAGS: its plan printed (`--dry-run`: nothing changed anywhere,
 * or refused where no plan can be made), else run. The core routes both the same way.
 */
async function fileOp(cmd: Command, op: 'copy' | 'move' | 'delete', srcs: string[], to: string | undefined, flags: FileOpCliFlags & { into?: boolean }): Promise<void> {
  const sources = srcs.map(typedSource);
  const dst = to === undefined ? undefined : asTypedPlace(to);
  const { dryRun, detach, ...asked } = flags;
  await withLibrary(cmd, async (lib) => {
    if (dryRun === true) return printPreview(cmd, await lib.files.preview(op, sources, { ...(dst !== undefined ? { to: dst } : {}), ...asked }));
    await run(cmd, lib, op, detach === true, (o) => (op === 'delete' ? lib.files.delete(sources, { ...asked, ...o }) : lib.files[op](sources, dst!, { ...asked, ...o })));
  });
}

type Start = (o: { detach: boolean; signal: AbortSignal; onQueued: (id: number) => void }) => Promise<FileOpOutcome>;

async function run(cmd: Command, lib: LibraryClient, op: 'copy' | 'move' | 'delete', detach: boolean, start: Start): Promise<void> {
  const json = globals(cmd).json === true;
  const title = op === 'copy' ? 'Copying' : op === 'move' ? 'Moving' : 'Deleting';
  // Ctrl-C stops waiting: a daemon's job goes on; a job run here stops and resumes next time.
  const out = await waitForJob(lib.events, title, (call) => start({ detach, ...call }),
    (id) => `job ${id} resumes where it was (with the daemon at once; else at the next vss files command). vss jobs cancel ${id} stops it`, { bar: !detach });
  if (out === undefined) return;
  if (json) return printJson(op === 'delete' ? withTrashed(out) : out);
  const { job, result } = out;
  if (!result) return printLine(`queued as job ${job.id}: ${op} of ${formatBytes(job.bytes)} (vss jobs info ${job.id})`);
  const files = `${result.done} file${result.done === 1 ? '' : 's'}`;
  const folders = result.folders ? `, ${result.folders} folder${result.folders === 1 ? '' : 's'}` : '';
  const what = `${files}${folders}${result.skipped > 0 ? `, ${result.skipped} skipped` : ''}`;
  const verified = op !== 'delete' ? 'verified' : result.trash ? 'in the trash, restorable for 30 days: vss trash list' : 'deleted for good';
  printLine(`${op === 'copy' ? 'Copied' : op === 'move' ? 'Moved' : 'Deleted'} ${formatBytes(result.bytes)} (${what}; ${verified}; job ${job.id})`);
  for (const p of result.paths) printLine(`  ${displayPath(p)}`);
  // Nothing left out in silence: each skipped item and each thing not kept, by name.
  for (const s of result.skipped_items ?? []) printLine(`skipped ${displayPath(s.path)}: ${s.reason}`);
  if (result.skipped > (result.skipped_items ?? []).length) printLine(`(${result.skipped - (result.skipped_items ?? []).length} more skipped: vss jobs info ${job.id} --json)`);
  for (const n of result.not_kept ?? []) printLine(`not all kept ${displayPath(n.path)}: ${n.what}`);
  if (result.xattrs_not_kept) printLine(`Extended attributes (xattrs) were not kept: ${result.xattrs_not_kept}.`);
  if (result.outside_library) printLine('The destination is outside the library\'s locations: it is not indexed.');
  if (op === 'delete' && result.trash) printTrashedBelow(result.below_policy ?? []);
  else printBelow(result.below_policy ?? [], 'Forced: left below their policy');
  printBelow(result.kept_below ?? [], 'Kept (the Guardian refused to delete them)');
}

/**
 * A delete's outcome as `--json` gives it (issue 58): the job and its result, and at the top what
 * a script asks first: the paths moved into the trash (`trashed`; none for good) and the contents
 * that now exist nowhere else (`last_copies`: in the trash alone, gone after 30 days).
 */
function withTrashed(out: FileOpOutcome): FileOpOutcome & { trashed: string[]; last_copies: Array<{ content_uuid: string; path: string }> } {
  const r = out.result;
  return {
    ...out,
    trashed: r?.trash ? r.paths : [],
    last_copies: (r?.trash ? r.below_policy ?? [] : []).filter((b) => b.nowhere_else).map((b) => ({ content_uuid: b.content_uuid, path: b.path })),
  };
}

/** `--dry-run` (of files copy|move|delete|send, content get): the plan, and that nothing was done. */
export function printPreview(cmd: Command, p: OpPreview): void {
  if (globals(cmd).json === true) return printJson(p);
  const files = `${p.files} file${p.files === 1 ? '' : 's'}`;
  printLine(`Dry run: would ${p.op} ${files}, ${formatBytes(p.bytes)}; nothing was changed`);
  if (p.free_bytes !== null) {
    const fits = p.needed_bytes <= p.free_bytes ? 'fits' : 'does NOT fit';
    printLine(`  space: ${formatBytes(p.needed_bytes)} to write, ${formatBytes(p.free_bytes)} free at the destination (${fits})`);
  }
  if (p.conflict_count > 0) {
    const policy = p.on_conflict ?? DEFAULT_ON_CONFLICT;
    printLine(`  ${p.conflict_count} name${p.conflict_count === 1 ? '' : 's'} taken at the destination (--on-conflict ${policy}):`);
    for (const c of p.conflicts.slice(0, 20)) printLine(`    ${displayPath(c.source)} -> ${displayPath(c.target)}`);
    if (p.conflict_count > 20) printLine(`    and ${p.conflict_count - 20} more (--json lists up to ${p.conflicts.length})`);
    printLine(`  --on-conflict ${policy}: ${ON_TAKEN[policy]}`);
  }
  const seen = p.looked_up;
  if (seen?.in === 'device-index') printLine(`  names looked up in what ${seen.device} last told this device (${seen.device} is ${seen.online ? 'online' : 'not connected'} now; it decides when the files arrive)`);
  if (seen?.in === 'bucket-listing') printLine(`  names looked up in a listing of ${seen.url} made now`);
  if (p.removes_here && p.removes_here.length > 0) {
    printLine(`  removes here, each once its copy there is confirmed: ${p.removes_here.length === p.files ? '' : `${p.files} files, the first `}${p.removes_here.slice(0, 20).map(displayPath).join(', ')}${p.removes_here.length > 20 ? ', …' : ''}`);
  }
  if (p.trash) printTrashedBelow(p.below_policy, 'would ');
  else printBelow(p.below_policy, 'Would leave below their policy (refused without --force)');
  printLeftOut(p.not_here);
}

/** What a taken name gets, by policy. */
const ON_TAKEN = { skip: 'the file there is left as it is, this one not written', 'keep-both': 'both kept, the new one under a free name', replace: 'the file there is replaced' } as const;

/** Contents left (or to be left) below their policy, by name, and why. */
function printBelow(below: readonly GuardianBelowPolicy[], title: string): void {
  if (below.length === 0) return;
  printLine(`${title}: ${below.length} content${below.length === 1 ? '' : 's'}`);
  for (const b of below) {
    const uncounted = b.uncounted && b.uncounted.length > 0 ? ` (not counted: ${b.uncounted.join('; ')})` : b.not_counted > 0 ? ` (${b.not_counted} more not counted: they cannot be confirmed now)` : '';
    if (b.changed !== undefined) printLine(`  ${displayPath(b.path)}: ${b.changed}`);
    else printLine(`  ${b.content_uuid} ${displayPath(b.path)}: ${b.have} ${NOUN[b.of][b.have === 1 ? 0 : 1]} left, its policy asks ${b.policy}${uncounted}`);
  }
}

/**
 * What a delete into the trash left (WOULD: would leave) below its policy, by name: never refused
 * (DESIGN §21), but said, as the trash is where those files' bytes now are.
 */
function printTrashedBelow(below: readonly GuardianBelowPolicy[], would = ''): void {
  const alone = below.filter((b) => b.nowhere_else);
  const rest = below.filter((b) => !b.nowhere_else);
  if (alone.length > 0) {
    printLine(`${alone.length} ${alone.length === 1 ? `${would ? 'would exist' : 'exists'}` : `${would ? 'would exist' : 'exist'}`} nowhere else: ${alone.length === 1 ? 'it stays' : 'they stay'} in the trash for 30 days, then ${alone.length === 1 ? 'is' : 'are'} gone (vss trash restore PATH brings ${alone.length === 1 ? 'it' : 'one'} back)`);
    for (const b of alone) printLine(`  ${displayPath(b.path)}`);
  }
  if (rest.length > 0) {
    printLine(`${rest.length} ${would ? 'would fall' : rest.length === 1 ? 'falls' : 'fall'} below ${rest.length === 1 ? 'its' : 'their'} Guardian policy: the trash keeps ${rest.length === 1 ? 'it' : 'them'} until the copies ${rest.length === 1 ? 'it leans' : 'they lean'} on are enough and read back whole (vss trash empty --force lets ${rest.length === 1 ? 'it' : 'them'} go)`);
    for (const b of rest) {
      const uncounted = b.uncounted && b.uncounted.length > 0 ? ` (not counted: ${b.uncounted.join('; ')})` : '';
      printLine(b.changed !== undefined ? `  ${displayPath(b.path)}: ${b.changed}` : `  ${displayPath(b.path)}: ${b.have} ${NOUN[b.of][b.have === 1 ? 0 : 1]} left, its policy asks ${b.policy}${uncounted}`);
    }
  }
}

const NOUN = { copies: ['copy', 'copies'], devices: ['device', 'devices'], offsite: ['copy off this device', 'copies off this device'] } as const;

/** The contents named that an operation leaves out (no file on this device now), said after its plan or its result. */
export function printLeftOut(notHere: readonly string[] | undefined): void {
  if (!notHere || notHere.length === 0) return;
  printLine(`Left out, no file on this device now: ${notHere.length} content${notHere.length === 1 ? '' : 's'} (${notHere.slice(0, 5).join(', ')}${notHere.length > 5 ? ', …' : ''})`);
}
