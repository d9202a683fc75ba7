import type { Command } from 'commander';
import { formatBytes } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine } from '../output.js';

/** `vss sync status`: what this device knows of each paired device's sidecars in the library. */
export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description("sharing sidecars with paired devices");

  sync
    .command('status')
    .description('per paired device: online, last exchange, change number, entries known, bytes fetched')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const peers = await lib.sync.status();
        if (globals(this).json) return printJson(peers);
        if (peers.length === 0) return printLine('No paired devices share this library.');
        for (const p of peers) {
          printLine(`${p.name}  ${p.device_id}  ${p.online ? 'online' : 'offline'}`);
          printLine(`  last exchange ${p.last_exchange ?? 'never'}, seq ${p.seq}, ${p.entries} entries; fetched ${p.files_fetched} files, ${formatBytes(p.bytes_fetched)}${p.failures > 0 ? `, ${p.failures} failures` : ''}`);
        }
      }, 'read');
    });
}
