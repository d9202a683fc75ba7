import type { Command } from 'commander';
import type { DeviceLocations, IndexMode, IndexResult, LibraryClient } from '../../api/index.js';
import { warn } from '../output.js';
import { nextStep } from '../next-step.js';
import { globals, withLibrary } from '../context.js';
import { collect, parseMode } from '../parse.js';
import { resolveLocationOrFolder, resolveLocationRef } from '../location-ref.js';
import { attachIndexReporter } from '../progress.js';
import { displayPath, formatBytes, formatDuration, printJson, printLine } from '../output.js';

export function registerLocationCommands(program: Command): void {
  const location = program.command('location').description('folders this library indexes');

  location
    .command('add <path>')
    .description('add a folder and index it (or s3://BUCKET/PREFIX: a bucket\'s objects, read only; credentials from the environment or ~/.aws, never kept)')
    .option('--name <name>', 'a name for the location (default: the folder name)')
    .option('--mode <mode>', 'shallow | content | deep', parseMode, 'content' as IndexMode)
    .option('--ignore <rule>', 'a gitignore-style rule to skip (repeatable)', collect, [] as string[])
    .option('--generate <policy>', 'deep mode: which sidecars to make here, e.g. "thumb=grid@2x,ocr" or "none" (default: the library\'s policy)')
    .option('--endpoint <url>', 'a bucket: the service\'s URL, for storage other than AWS S3 (Backblaze B2, Cloudflare R2, Garage, MinIO…)')
    .option('--region <region>', 'a bucket: its region (default: AWS_REGION, else us-east-1)')
    .option('--path-style', 'a bucket: address it in the path (https://host/BUCKET/…), as most services other than AWS want')
    .action(async function (this: Command, path: string, opts: { name?: string; mode: IndexMode; ignore: string[]; generate?: string; endpoint?: string; region?: string; pathStyle?: boolean }) {
      await withLibrary(this, async (lib, vss) => {
        // A folder or a bucket: the core tells them apart by the address (core/address.ts).
        const result = await withProgress(lib, () => lib.locations.add(path, {
          name: opts.name, mode: opts.mode, ignore: opts.ignore, ...(opts.generate !== undefined ? { generate: opts.generate } : {}),
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}), ...(opts.region !== undefined ? { region: opts.region } : {}),
          ...(opts.pathStyle ? { path_style: true } : {}),
        }));
        const loc = await lib.locations.get(result.location_id);
        report(this, result, `Added location ${loc.id} (${loc.name}, ${loc.mode})`, vss.viaDaemon);
      });
    });

  location
    .command('list')
    .description("this device's locations in the library: each with its drive, the drive's free space, and why it is offline when it is")
    .option('--others', "the other devices' locations instead, under each device, as each last said")
    .action(async function (this: Command, opts: { others?: boolean }) {
      await withLibrary(this, async (lib) => {
        if (opts.others) return printOthers(this, await lib.locations.ofOtherDevices());
        const locs = await lib.locations.list();
        if (globals(this).json) return printJson(locs);
        if (locs.length === 0) return printLine('No locations yet: run `vss location add PATH`.');
        for (const l of locs) {
          printLine(`${l.id}  ${l.name}  ${l.mode}  ${l.files} files  ${formatBytes(l.bytes)}  ${l.scan_state}${l.paused ? '  paused' : ''}${l.online ? '' : '  offline'}  ${displayPath(l.path)}${l.generation ? `  generate: ${l.generation}` : ''}`);
          const drive = l.volume_name === null ? undefined : `on ${l.volume_name}${l.free_bytes !== null ? ` (${formatBytes(l.free_bytes)} free${l.total_bytes !== null ? ` of ${formatBytes(l.total_bytes)}` : ''})` : ''}`;
          const notes = [drive, l.offline_reason !== null ? `offline: ${l.offline_reason}` : undefined].filter((x) => x !== undefined);
          if (notes.length > 0) printLine(`    ${notes.join('; ')}`);
        }
      }, 'read');
    });

  location
    .command('rescan <location>')
    .description('index a location (its id, name or folder) again, or one folder in it with all beneath it; only what changed is re-read (all with --force)')
    .option('--mode <mode>', 'change the index mode first', parseMode)
    .option('--force', 're-read every file (hash it again, and in deep mode read its metadata again), even those that look unchanged')
    .action(async function (this: Command, ref: string, opts: { mode?: IndexMode; force?: boolean }) {
      await withLibrary(this, async (lib, vss) => {
        const { id, folder } = await resolveLocationOrFolder(lib, ref);
        const loc = await lib.locations.get(id);
        const result = await withProgress(lib, () => lib.locations.rescan(id, { ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.force ? { force: true } : {}), ...(folder !== undefined ? { folder } : {}) }));
        report(this, result, folder !== undefined ? `Rescanned ${folder} (${result.scanned_files} files) in location ${loc.id} (${loc.name})` : `Rescanned location ${loc.id} (${loc.name})`, vss.viaDaemon);
      });
    });

  location
    .command('policy <location> <policy>')
    .description('set which sidecars deep mode makes in this location (its id, name or folder; "default" = the library\'s policy)')
    .action(async function (this: Command, ref: string, policy: string) {
      await withLibrary(this, async (lib) => {
        const locationId = await resolveLocationRef(lib, ref);
        const loc = await lib.locations.setPolicy(locationId, policy === 'default' ? null : policy);
        if (globals(this).json) return printJson(loc);
        printLine(`Location ${loc.id}: ${loc.generation ?? 'the library\'s policy'} (applies from the next rescan)`);
      });
    });

  for (const [name, description] of [
    ['pause', 'stop watching a location (its id, name or folder; kept across restarts); its index stays as it is'],
    ['resume', 'rescan a paused location (its id, name or folder), then watch it again'],
  ] as const) {
    location
      .command(`${name} <location>`)
      .description(description)
      .action(async function (this: Command, ref: string) {
        await withLibrary(this, async (lib) => {
          const locationId = await resolveLocationRef(lib, ref);
          const loc = await (name === 'pause' ? lib.locations.pause(locationId) : lib.locations.resume(locationId));
          if (globals(this).json) return printJson(loc);
          printLine(`Location ${loc.id} (${loc.name}): ${loc.paused ? 'paused' : 'watched'}`);
        }, 'read');
      });
  }

  location
    .command('remove <location>')
    .description('forget a location (its id, name or folder) and its index (the folder itself is not touched)')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const locationId = await resolveLocationRef(lib, ref);
        const removed = await lib.locations.remove(locationId);
        if (globals(this).json) printJson(removed);
        else printLine(`Removed location ${locationId}`);
      });
    });
}

function printOthers(cmd: Command, devices: DeviceLocations[]): void {
  if (globals(cmd).json) return printJson(devices);
  if (devices.length === 0) return printLine('No other device shares this library yet: pair one with `vss pair start`.');
  for (const d of devices) {
    printLine(`${d.name}  ${d.connected ? 'connected' : `not connected${d.last_heard ? `, last heard ${d.last_heard}` : ''}`}`);
    if (d.locations.length === 0) printLine('    no locations');
    for (const l of d.locations) printLine(`    ${l.id}  ${l.name}  ${l.mode}  ${l.files} files  ${formatBytes(l.bytes)}${l.online ? '' : '  offline'}  ${l.path}`);
  }
}

async function withProgress(lib: LibraryClient, scan: () => Promise<IndexResult>): Promise<IndexResult> {
  const detach = attachIndexReporter(lib.events);
  try {
    return await scan();
  } finally {
    detach();
  }
}

function report(cmd: Command, r: IndexResult, title: string, viaDaemon: boolean): void {
  if (globals(cmd).json) return printJson(r);
  printLine(`${title}: ${r.files} files, ${r.dirs} folders, ${formatBytes(r.bytes)}, ${r.contents} unique contents in ${formatDuration(r.duration_ms)}`);
  const changes = [`${r.added} new`, `${r.changed} changed`, `${r.moved} moved`, `${r.removed} removed`, `${r.hashed} hashed`];
  printLine(`  ${changes.join(', ')}${r.skipped_total ? `, ${r.skipped_total} skipped` : ''}`);
  if (r.jobs_queued !== undefined) {
    printLine(`  ${r.sidecars_pending ?? 0} sidecars to make, ${r.jobs_queued} jobs queued${r.jobs_queued ? `: ${nextStep(viaDaemon)}` : ''}`);
  }
  for (const u of r.unavailable ?? []) warn(`${u.kind} not made: ${u.reason}`);
}
