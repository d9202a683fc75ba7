import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_ON_CONFLICT, ON_CONFLICT, type FileOpOutcome, type LibraryClient } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';

interface TransferFlags {
  onConflict: string;
  detach?: boolean;
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
      .usage('[options] SRC... DST')
      .description(op === 'copy'
        ? 'copy files and folders of your locations to DST (a folder, or a new name; or DEVICE:/LOCATION/PATH, a folder of a paired device), each copy verified by a full BLAKE3'
        : 'move files and folders: a rename on the same drive, else copied, verified and flushed before the source is removed (DST may be DEVICE:/LOCATION/PATH)')
      .option('--on-conflict <policy>', `when a name is taken: ${ON_CONFLICT.join(', ')}`, DEFAULT_ON_CONFLICT)
      .option('--detach', 'queue the job and return at once (vss jobs list and jobs monitor follow it; the daemon or the next vss files command runs it)')
      .action(async function (this: Command, paths: string[], opts: TransferFlags) {
        if (paths.length < 2) {
          this.error(`error: name at least one source and the destination (vss files ${op} SRC... DST)`, { exitCode: 2 });
        }
        const target = paths[paths.length - 1]!;
        // DEVICE:/LOCATION/PATH (as `ls` takes it): into a folder of a paired device's location.
        if (isDevicePath(target)) {
          const srcs = paths.slice(0, -1).map((p) => resolve(p));
          await withLibrary(this, (lib) => run(this, lib, op, opts.detach === true,
            (o) => (op === 'copy' ? lib.files.copyToDevice : lib.files.moveToDevice).call(lib.files, srcs, target, { onConflict: opts.onConflict, ...o })));
          return;
        }
        const abs = paths.map((p) => resolve(p));
        const dst = abs.pop()!;
        // `DST/`: a folder to put them in (made if need be), as with cp and mv.
        const into = /[/\\]$/.test(paths[paths.length - 1]!);
        await withLibrary(this, (lib) => run(this, lib, op, opts.detach === true,
          (o) => lib.files[op](abs, dst, { onConflict: opts.onConflict, into, ...o })));
      });
  }

  files
    .command('delete <paths...>')
    .description('delete files and folders of your locations for good (there is no trash); the last copy of a content in the library is refused without --force')
    .option('--force', 'delete even the last copy of a content')
    .option('--detach', 'queue the job and return at once')
    .action(async function (this: Command, paths: string[], opts: { force?: boolean; detach?: boolean }) {
      const abs = paths.map((p) => resolve(p));
      await withLibrary(this, (lib) => run(this, lib, 'delete', opts.detach === true,
        (o) => lib.files.delete(abs, { force: opts.force === true, ...o })));
    });
}

/** `NAME:/…` with no separator before the colon: a device's path, not a file here (`./a:b` names a file). */
function isDevicePath(p: string): boolean {
  const colon = p.indexOf(':');
  return colon > 0 && !/[/\\]/.test(p.slice(0, colon)) && p[colon + 1] === '/';
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
}
