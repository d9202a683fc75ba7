import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { displayPath, printJson, printLine, warn } from '../output.js';
import { attachSidecarsReporter } from '../progress.js';

/** `vss sidecars reconcile [--verify]` (DESIGN §5, §11). */
export function registerReconcileCommand(sidecars: Command): void {
  sidecars
    .command('reconcile')
    .description('make the database and sidecars/ agree: record unknown files, drop orphans and temporary files, re-queue missing ones')
    .option('--verify', 're-hash every managed sidecar; remake corrupt generated ones, set aside (quarantine/) what cannot be made again')
    .action(async function (this: Command, opts: { verify?: boolean }) {
      await withLibrary(this, async (lib) => {
        const detach = attachSidecarsReporter(lib.events);
        let r;
        try {
          r = await lib.sidecars.reconcile({
            verify: opts.verify ?? false,
            onProblem: (path, reason) => warn(`${displayPath(path)}: ${reason}`),
            onQuarantine: (from, to, reason) => warn(`${displayPath(from)}: ${reason}; moved to ${displayPath(to)}`),
          });
        } finally {
          detach();
        }
        if (globals(this).json) {
          return printJson({ recorded: r.recorded, missing: r.missing, orphans_removed: r.orphans_removed, temp_removed: r.temp_removed, corrupt: r.corrupt, quarantined: r.quarantined });
        }
        printLine(`recorded ${r.recorded}, missing ${r.missing}, orphans removed ${r.orphans_removed}, temporary files removed ${r.temp_removed}, corrupt ${r.corrupt}, quarantined ${r.quarantined}`);
      });
    });
}
