import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_ON_CONFLICT, isDeviceAddress, ON_CONFLICT, type FileOpOutcome, type GuardianBelowPolicy, type LibraryClient, type OpPreview } from '../../api/index.js';
import { UUID } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';

interface TransferFlags {
  onConflict: string;
  detach?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

/**
 * `vss files copy|move|delete` (DESIGN §17): each one durable job, verified, that updates the
 * index itself. Through a daemon its job work runs it; without one it runs in this process, and
 * a job a kill left behind is taken up by the next `vss files` command (or the daemon).
 */
export function registerFileOpCommands(files: Command): void {
  for (const op of ['copy', 'move'] as const) {
    files
      .command(`${op} <paths...>`)
      .usage('[options] SRC... DST (a SRC may be a content uuid: ' + (op === 'copy' ? 'one of its files here)' : 'all its files here)'))
      .description(op === 'copy'
        ? 'copy files and folders of your locations to DST (a folder, or a new name; or DEVICE:/LOCATION/PATH, a folder of a paired device; or s3://BUCKET/PREFIX/FOLDER, a bucket volume), each copy verified by a full BLAKE3'
        : 'move files and folders: a rename on the same drive, else copied, verified and flushed before the source is removed (DST may be DEVICE:/LOCATION/PATH)')
      .option('--on-conflict <policy>', `when a name is taken: ${ON_CONFLICT.join(', ')}`, DEFAULT_ON_CONFLICT)
      .option('--detach', 'queue the job and return at once (vss jobs list and jobs monitor follow it; the daemon or the next vss files command runs it)')
      .option('--force', op === 'move' ? 'move even what leaves a content below its Guardian policy (named in the output)' : 'replace even what leaves a content below its Guardian policy (named in the output)')
      .option('--dry-run', 'print the plan (files, bytes, names taken, free space, contents left below policy) and change nothing')
      .action(async function (this: Command, paths: string[], opts: TransferFlags) {
        if (paths.length < 2) {
          this.error(`error: name at least one source and the destination (vss files ${op} SRC... DST)`, { exitCode: 2 });
        }
        const target = paths[paths.length - 1]!;
        // s3://BUCKET/PREFIX[/FOLDER]: into a bucket volume of this device.
        if (target.startsWith('s3://')) {
          if (op === 'move') this.error('error: a move into a bucket is not built: copy (vss files copy … s3://…), then delete', { exitCode: 2 });
          const srcs = paths.slice(0, -1).map((p) => resolve(p));
          await withLibrary(this, (lib) => run(this, lib, op, opts.detach === true, (o) => lib.files.copyToBucket(srcs, target, o)));
          return;
        }
        // DEVICE:/LOCATION/PATH (as `ls` takes it): into a folder of a paired device's location.
        if (isDeviceAddress(target)) {
          const srcs = paths.slice(0, -1).map((p) => resolve(p));
          await withLibrary(this, (lib) => run(this, lib, op, opts.detach === true,
            (o) => (op === 'copy' ? lib.files.copyToDevice : lib.files.moveToDevice).call(lib.files, srcs, target, { onConflict: opts.onConflict, ...o })));
          return;
        }
        const abs = paths.slice(0, -1).map(source);
        const dst = resolve(paths[paths.length - 1]!);
        // `DST/`: a folder to put them in (made if need be), as with cp and mv.
        const into = /[/\\]$/.test(paths[paths.length - 1]!);
        if (opts.dryRun) return withLibrary(this, async (lib) => printPreview(this, await lib.files.preview(op, abs, { to: dst, onConflict: opts.onConflict, into })));
        await withLibrary(this, (lib) => run(this, lib, op, opts.detach === true,
          (o) => lib.files[op](abs, dst, { onConflict: opts.onConflict, into, force: opts.force === true, ...o })));
      });
  }

  files
    .command('delete <paths...>')
    .description('delete files and folders of your locations (or contents by uuid: all their files here) for good (there is no trash); what leaves a content below its Guardian policy (its last copy too) is refused without --force')
    .option('--force', 'delete even what leaves a content below its policy, its last copy too (named in the output)')
    .option('--keep-refused', 'delete what the Guardian lets go and keep the contents it refuses (named in the output, with why)')
    .option('--detach', 'queue the job and return at once')
    .option('--dry-run', 'print the plan (files, bytes, contents left below policy) and change nothing')
    .action(async function (this: Command, paths: string[], opts: { force?: boolean; keepRefused?: boolean; detach?: boolean; dryRun?: boolean }) {
      const abs = paths.map(source);
      if (opts.dryRun) return withLibrary(this, async (lib) => printPreview(this, await lib.files.preview('delete', abs)));
      await withLibrary(this, (lib) => run(this, lib, 'delete', opts.detach === true,
        (o) => lib.files.delete(abs, { force: opts.force === true, keepRefused: opts.keepRefused === true, ...o })));
    });
}

/** A source as the library reads it: a content uuid as typed, else a path made absolute (the daemon's working directory is not ours). */
function source(p: string): string {
  return UUID.test(p) ? p.toLowerCase() : resolve(p);
}

type Start = (o: { detach: boolean; signal: AbortSignal; onQueued: (id: number) => void }) => Promise<FileOpOutcome>;

async function run(cmd: Command, lib: LibraryClient, op: 'copy' | 'move' | 'delete', detach: boolean, start: Start): Promise<void> {
  const json = globals(cmd).json === true;
  const title = op === 'copy' ? 'Copying' : op === 'move' ? 'Moving' : 'Deleting';
  // Ctrl-C stops waiting: a daemon's job goes on; a job run here stops and resumes next time.
  const out = await waitForJob(lib.events, title, (call) => start({ detach, ...call }),
    (id) => `job ${id} resumes where it was (with the daemon at once; else at the next vss files command). vss jobs cancel ${id} stops it`, { bar: !detach });
  if (out === undefined) return;
  if (json) return printJson(out);
  const { job, result } = out;
  if (!result) return printLine(`queued as job ${job.id}: ${op} of ${formatBytes(job.bytes)} (vss jobs info ${job.id})`);
  const files = `${result.done} file${result.done === 1 ? '' : 's'}`;
  const folders = result.folders ? `, ${result.folders} folder${result.folders === 1 ? '' : 's'}` : '';
  const what = `${files}${folders}${result.skipped > 0 ? `, ${result.skipped} skipped` : ''}`;
  const verified = op === 'delete' ? 'deleted for good' : 'verified';
  printLine(`${op === 'copy' ? 'Copied' : op === 'move' ? 'Moved' : 'Deleted'} ${formatBytes(result.bytes)} (${what}; ${verified}; job ${job.id})`);
  for (const p of result.paths) printLine(`  ${displayPath(p)}`);
  // Nothing left out in silence: each skipped item and each thing not kept, by name.
  for (const s of result.skipped_items ?? []) printLine(`skipped ${displayPath(s.path)}: ${s.reason}`);
  if (result.skipped > (result.skipped_items ?? []).length) printLine(`(${result.skipped - (result.skipped_items ?? []).length} more skipped: vss jobs info ${job.id} --json)`);
  for (const n of result.not_kept ?? []) printLine(`not all kept ${displayPath(n.path)}: ${n.what}`);
  if (result.xattrs_not_kept) printLine(`Extended attributes (xattrs) were not kept: ${result.xattrs_not_kept}.`);
  if (result.outside_library) printLine('The destination is outside the library\'s locations: it is not indexed.');
  printBelow(result.below_policy ?? [], 'Forced: left below their policy');
  printBelow(result.kept_below ?? [], 'Kept (the Guardian refused to delete them)');
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
    printLine(`  ${p.conflict_count} name${p.conflict_count === 1 ? '' : 's'} taken at the destination (--on-conflict ${p.on_conflict ?? DEFAULT_ON_CONFLICT}):`);
    for (const c of p.conflicts.slice(0, 20)) printLine(`    ${displayPath(c.source)} -> ${displayPath(c.target)}`);
    if (p.conflict_count > 20) printLine(`    and ${p.conflict_count - 20} more (--json lists up to ${p.conflicts.length})`);
  }
  printBelow(p.below_policy, 'Would leave below their policy (refused without --force)');
  printLeftOut(p.not_here);
}

/** Contents left (or to be left) below their policy, by name, and why. */
function printBelow(below: readonly GuardianBelowPolicy[], title: string): void {
  if (below.length === 0) return;
  printLine(`${title}: ${below.length} content${below.length === 1 ? '' : 's'}`);
  for (const b of below) {
    const uncounted = b.uncounted && b.uncounted.length > 0 ? ` (not counted: ${b.uncounted.join('; ')})` : b.not_counted > 0 ? ` (${b.not_counted} more not counted: they cannot be confirmed now)` : '';
    printLine(`  ${b.content_uuid} ${displayPath(b.path)}: ${b.have} ${NOUN[b.of][b.have === 1 ? 0 : 1]} left, its policy asks ${b.policy}${uncounted}`);
  }
}

const NOUN = { copies: ['copy', 'copies'], devices: ['device', 'devices'], offsite: ['copy off this device', 'copies off this device'] } as const;

/** The contents named that an operation leaves out (no file on this device now), said after its plan or its result. */
export function printLeftOut(notHere: readonly string[] | undefined): void {
  if (!notHere || notHere.length === 0) return;
  printLine(`Left out, no file on this device now: ${notHere.length} content${notHere.length === 1 ? '' : 's'} (${notHere.slice(0, 5).join(', ')}${notHere.length > 5 ? ', …' : ''})`);
}
