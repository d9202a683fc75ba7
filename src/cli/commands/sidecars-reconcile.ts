import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { displayPath, printJson, printLine, warn } from '../output.js';

/** `vss sidecars reconcile [--verify]` (DESIGN §5, §11). */
export function registerReconcileCommand(sidecars: Command): void {
  sidecars
    .command('reconcile')
    .description('make the database and sidecars/ agree: record unknown files, drop orphans and temporary files, re-queue missing ones')
    .option('--verify', 're-hash every managed sidecar and replace the corrupt ones (reads every byte)')
    .action(async function (this: Command, opts: { verify?: boolean }) {
      await withLibrary(this, async (lib) => {
        const r = await lib.sidecars.reconcile({ verify: opts.verify ?? false, onProblem: (path, reason) => warn(`${displayPath(path)}: ${reason}`) });
        if (globals(this).json) {
          return printJson({ recorded: r.recorded, missing: r.missing, orphans_removed: r.orphans_removed, temp_removed: r.temp_removed, corrupt: r.corrupt });
        }
        printLine(`recorded ${r.recorded}, missing ${r.missing}, orphans removed ${r.orphans_removed}, temporary files removed ${r.temp_removed}, corrupt ${r.corrupt}`);
      });
    });
}
