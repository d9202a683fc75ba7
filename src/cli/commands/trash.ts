import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { TrashItem } from '../../api/index.js';
import { UUID } from '../content-arg.js';
import { existsSync } from 'node:fs';
import { mayBeShortId, shortId } from '../../core/short-id.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine, printLines } from '../output.js';

function trashLine(t: TrashItem): string {
  const when = new Date(t.deleted_at).toISOString().replace('T', ' ').slice(0, 16);
  return `${shortId(t.trash_id)}  ${when}  ${formatBytes(t.size).padStart(9)}  ${displayPath(t.path)}`;
}

/** `vss trash …` (issue 45): what `files delete` moved aside, restorable for 30 days. */
export function registerTrashCommands(program: Command): void {
  const trash = program.command('trash').description('files a delete moved aside (on their own drive), restorable to their paths for 30 days');

  trash
    .command('list')
    .description('what the trash holds, newest first: id, when deleted, size, where it was')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const all = await lib.trash.list();
        if (globals(this).json) return printJson(all);
        await printLines(all, trashLine, 'The trash is empty.');
      });
    });

  trash
    .command('restore <refs...>')
    .description('put files back where they were: by trash id (vss trash list), by the path a file had, or by a folder it was in (everything deleted from under it); a path taken now gets a free name beside it')
    .action(async function (this: Command, refs: string[]) {
      await withLibrary(this, async (lib) => {
        const r = await lib.trash.restore(refs.map(typedRef));
        if (globals(this).json) return printJson(r);
        printLine(`Restored ${r.restored.length} file${r.restored.length === 1 ? '' : 's'}.`);
        for (const x of r.restored.slice(0, 20)) printLine(`  ${displayPath(x.path)}${x.renamed ? '  (its path was taken: put beside it)' : ''}`);
        if (r.restored.length > 20) printLine(`  and ${r.restored.length - 20} more`);
        for (const n of r.not_restored) printLine(`not restored ${n.ref}: ${n.reason}`);
        if (r.not_restored.length > 0) process.exitCode = 1;
      });
    });

  trash
    .command('empty [refs...]')
    .description('remove files in the trash for good (all, the ones named, or --older-than DAYS): a content you deleted every copy of goes; a file whose content leans on other copies goes once those were read back whole and the content keeps its Guardian policy, else it is kept and named (--force empties it anyway)')
    .option('--older-than <days>', 'only files deleted more than this many days ago')
    .option('--force', "empty even a content's last bytes (named in the output)")
    .action(async function (this: Command, refs: string[], opts: { olderThan?: string; force?: boolean }) {
      const days = opts.olderThan === undefined ? undefined : Number(opts.olderThan);
      if (days !== undefined && (!Number.isInteger(days) || days < 0)) throw new UsageError(`--older-than takes a whole number of days, not ${JSON.stringify(opts.olderThan)}`);
      await withLibrary(this, async (lib) => {
        const r = await lib.trash.empty({
          ...(refs.length > 0 ? { refs: refs.map(typedRef) } : {}), ...(days !== undefined ? { olderThanDays: days } : {}), ...(opts.force ? { force: true } : {}),
        });
        if (globals(this).json) return printJson(r);
        printLine(`Removed ${r.files} file${r.files === 1 ? '' : 's'} (${formatBytes(r.bytes)}) from the trash for good.`);
        if (r.kept.length > 0) {
          printLine(`Kept ${r.kept.length} (the Guardian refused: --force empties them):`);
          for (const k of r.kept.slice(0, 20)) printLine(`  ${displayPath(k.path)}: ${k.reason}`);
          if (r.kept.length > 20) printLine(`  and ${r.kept.length - 20} more (--json lists them)`);
        }
      });
    });
}

/** A trash id as typed (whole, or its start as `trash list` shows it, when no file here is so named), else a path made absolute (the core finds what was there). */
function typedRef(ref: string): string {
  if (UUID.test(ref)) return ref.toLowerCase();
  return mayBeShortId(ref) && !existsSync(resolvePath(ref)) ? ref.trim().toLowerCase() : resolvePath(ref);
}
