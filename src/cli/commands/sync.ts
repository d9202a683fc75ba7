import type { Command } from 'commander';
import type { SyncSettings, SyncSettingsPatch } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { formatBytes } from '../../core/format.js';
import { PREFER_VALUES, oneOf } from '../../api/words.js';
import { sidecarKind } from '../../api/sidecar-kinds.js';
import { clientFor, globals, withLibrary } from '../context.js';
import { printJson, printLine } from '../output.js';
import { parseBytes } from '../parse.js';

/** `vss sync status`: what this device knows of each paired device's sidecars in the library. */
export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description("sharing sidecars with paired devices");

  sync
    .command('status')
    .description('per paired device: online, last exchange, change number, entries known, bytes fetched, its files listed here, sidecars still to fetch')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const peers = await lib.sync.status();
        if (globals(this).json) return printJson(peers);
        if (peers.length === 0) return printLine('No paired devices share this library.');
        for (const p of peers) {
          printLine(`${p.name}  ${p.device_id}  ${p.online ? 'online' : 'offline'}${p.pulling ? '  pulling' : ''}`);
          printLine(`  last exchange ${p.last_exchange ?? 'never'}, seq ${p.seq}, ${p.entries} entries; fetched ${p.files_fetched} files, ${formatBytes(p.bytes_fetched)}${p.failures > 0 ? `, ${p.failures} failures` : ''}`);
          printLine(`  its files listed here: ${p.files_listed} of ${p.files_total}; sidecars still to fetch: ${p.to_fetch}`);
        }
      }, 'read');
    });

  sync
    .command('settings [default]')
    .description('show or change how this device shares sidecars: prefer fetch or generate, what to prefetch, bandwidth, disk budget ("default" resets them)')
    .option('--prefer <how>', `where a missing sidecar comes from first: ${PREFER_VALUES.join(', ')} (auto: fetch unless no paired device has it or making it is quicker)`)
    .option('--eager <kinds>', 'kinds fetched in the background for contents this device knows, comma-separated ("" for none)')
    .option('--lazy <kinds>', 'kinds fetched when asked for')
    .option('--never <kinds>', 'kinds never fetched unless asked for by name')
    .option('--max-concurrent <n>', 'prefetch batches at once (1-64)')
    .option('--bandwidth <bytes>', 'bytes per second for fetching (and again for serving), e.g. 20M (20 MB/s), or "unlimited"')
    .option('--disk-budget <bytes>', 'most bytes of fetched sidecars to keep, e.g. 2G (2 GB) or 2GiB')
    .action(async function (this: Command, reset: string | undefined, o: { prefer?: string; eager?: string; lazy?: string; never?: string; maxConcurrent?: string; bandwidth?: string; diskBudget?: string }) {
      if (reset !== undefined && reset !== 'default') throw new UsageError(`sync settings takes "default" or options, not ${JSON.stringify(reset)}`);
      const vss = await clientFor(this);
      const patch = patchOf(o);
      if (reset !== undefined && patch !== undefined) throw new UsageError('give either "default" or options, not both');
      const s = reset !== undefined ? await vss.deviceSettings.setSync('default') : patch !== undefined ? await vss.deviceSettings.setSync(patch) : await vss.deviceSettings.sync();
      if (globals(this).json) return printJson(s);
      printSettings(s);
    });
}

function patchOf(o: { prefer?: string; eager?: string; lazy?: string; never?: string; maxConcurrent?: string; bandwidth?: string; diskBudget?: string }): SyncSettingsPatch | undefined {
  const prefetch: NonNullable<SyncSettingsPatch['prefetch']> = {};
  if (o.eager !== undefined) prefetch.eager = kinds(o.eager);
  if (o.lazy !== undefined) prefetch.lazy = kinds(o.lazy);
  if (o.never !== undefined) prefetch.never = kinds(o.never);
  if (o.maxConcurrent !== undefined) prefetch.maxConcurrent = whole(o.maxConcurrent, '--max-concurrent');
  if (o.bandwidth !== undefined) prefetch.bandwidthBytesPerSec = o.bandwidth === 'unlimited' ? null : parseBytes(o.bandwidth, '--bandwidth');
  if (o.diskBudget !== undefined) prefetch.diskBudgetBytes = parseBytes(o.diskBudget, '--disk-budget');
  const patch: SyncSettingsPatch = {};
  if (o.prefer !== undefined) patch.prefer = oneOf(PREFER_VALUES, o.prefer, '--prefer');
  if (Object.keys(prefetch).length > 0) patch.prefetch = prefetch;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function kinds(v: string): ReturnType<typeof sidecarKind>[] {
  return v.split(',').map((k) => k.trim()).filter((k) => k !== '').map(sidecarKind);
}

function whole(v: string, name: string): number {
  if (!/^\d{1,6}$/.test(v)) throw new UsageError(`${name} takes a whole number, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** As vss prints sizes: K, M, G are powers of 1000 (20M = 20 MB); KiB, MiB, GiB powers of 1024. */

function printSettings(s: SyncSettings): void {
  const p = s.prefetch;
  printLine(`prefer:          ${s.prefer}`);
  printLine(`prefetch eager:  ${p.eager.join(', ') || '(none)'}`);
  printLine(`on request:      ${p.lazy.join(', ') || '(none)'}`);
  printLine(`never prefetch:  ${p.never.join(', ') || '(none)'}`);
  printLine(`batches at once: ${p.maxConcurrent}`);
  printLine(`bandwidth:       ${p.bandwidthBytesPerSec === null ? 'unlimited' : `${formatBytes(p.bandwidthBytesPerSec)}/s`}`);
  printLine(`disk budget:     ${formatBytes(p.diskBudgetBytes)}`);
}
