import type { Command } from 'commander';
import type { SidecarKind } from '../../api/index.js';
import { sidecarKind } from '../../api/sidecar-kinds.js';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine, warn } from '../output.js';
import { attachSidecarsReporter } from '../progress.js';

export function registerConvertCommand(sidecars: Command): void {
  sidecars
    .command('convert-references [uuid...]')
    .description('move referenced files (e.g. Live Photo movies) into the library; crash-safe')
    .option('--kind <kind>', 'only sidecars of this kind', sidecarKind)
    .option('--force', 'convert also a file whose content the move leaves below its Guardian policy (a converted file is no longer a copy the Guardian counts)')
    .action(async function (this: Command, uuids: string[], opts: { kind?: SidecarKind; force?: boolean }) {
      await withLibrary(this, async (lib) => {
        const detach = attachSidecarsReporter(lib.events);
        let r;
        try {
          r = await lib.sidecars.convertReferences({ ...(opts.kind ? { kind: opts.kind } : {}), contentUuids: uuids, ...(opts.force ? { force: true } : {}) });
        } finally {
          detach();
        }
        for (const f of r.failed) warn(`not converted ${f.content_uuid} ${f.kind}/${f.variant}: ${f.reason}`);
        for (const x of r.refused) warn(`interrupted conversion of sidecar ${x.sidecar_uuid} not finished: ${x.reason}`);
        if (globals(this).json) printJson(r);
        else printLine(`Converted ${r.converted} reference sidecar(s)${r.recovered ? `, finished ${r.recovered} interrupted one(s)` : ''}${r.failed.length ? `, ${r.failed.length} failed` : ''}`);
        if (r.failed.length > 0 || r.refused.length > 0) process.exitCode = 1;
      });
    });
}
