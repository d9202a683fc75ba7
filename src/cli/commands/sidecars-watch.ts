import { join } from 'node:path';
import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { displayPath, printJson, printLine, warn } from '../output.js';

export function registerWatchCommand(sidecars: Command): void {
  sidecars
    .command('watch')
    .description('keep the records true while files under sidecars/ change (reconciles first); Ctrl-C stops')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const m = await lib.sidecars.watch({ onProblem: (path, reason) => warn(`${displayPath(path)}: ${reason}`) });
        const r = await m.reconciled;
        if (globals(this).json) printJson({ reconciled: r });
        else printLine(`Reconciled (${r.recorded} recorded, ${r.missing} missing, ${r.orphans_removed} orphans removed, ${r.temp_removed} temp removed, ${r.corrupt} corrupt); watching ${join(lib.path, 'sidecars')}`);
        lib.events.on('sidecar:changed', (e) => {
          if (!globals(this).json) printLine(`${e.contentUuid} ${e.kind}/${e.variant}: ${e.status}`);
        });
        await new Promise<void>((res) => {
          for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => res());
        });
        await m.stop();
      });
    });
}
