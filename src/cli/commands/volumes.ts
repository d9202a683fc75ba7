import type { Command } from 'commander';
import type { VolumeInfo } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

/** `vss volumes`: this device's drives (DESIGN §17). ID is a volume's id or its fingerprint. */
export function registerVolumeCommands(program: Command): void {
  const volumes = program.command('volumes').description("this device's volumes (drives): mounted now, and tracked ones that are not");

  volumes
    .command('list')
    .description('the volumes mounted now, and the tracked ones that are not')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const list = await lib.volumes.list();
        if (globals(this).json) return printJson(list);
        if (list.length === 0) return printLine('No volumes found.');
        for (const v of list) printLine(line(v));
      }, 'read');
    });

  volumes
    .command('add <url>')
    .description('a bucket of S3-compatible storage as a volume (s3://BUCKET/PREFIX): credentials from the environment or ~/.aws (AWS_ACCESS_KEY_ID, AWS_PROFILE…), never kept')
    .option('--endpoint <url>', 'the service\'s URL, for storage other than AWS S3 (Backblaze B2, Cloudflare R2, Garage, MinIO…)')
    .option('--region <region>', 'its region (default: AWS_REGION, else us-east-1)')
    .option('--path-style', 'address the bucket in the path (https://host/BUCKET/…), as most services other than AWS want')
    .option('--name <name>', 'a name for it (default: its URL)')
    .option('--encrypt', "seal every object vss writes there with the library's bucket key (age files under keyed names: the service sees no byte or name of yours)")
    .action(async function (this: Command, url: string, opts: { endpoint?: string; region?: string; pathStyle?: boolean; name?: string; encrypt?: boolean }) {
      await withLibrary(this, async (lib) => {
        const v = await lib.volumes.add(url, {
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}), ...(opts.region !== undefined ? { region: opts.region } : {}),
          ...(opts.pathStyle ? { path_style: true } : {}), ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.encrypt ? { encrypt: true } : {}),
        });
        if (globals(this).json) return printJson(v);
        printLine(`Added ${v.mount_point} as volume ${v.id}${v.name && v.name !== v.mount_point ? ` (${v.name})` : ''}${v.encrypted ? ', encrypted' : ''}: protect to it with vss guardian protect --to ${v.name ?? v.id}`);
        if (v.phrase !== null) {
          printLine('');
          printLine("The library's bucket key, as its recovery phrase (shown this once; write it down and keep it apart from this computer):");
          printLine('');
          printLine(`  ${v.phrase}`);
          printLine('');
          printLine('Without it, nothing in an encrypted bucket can be read back if every device of the library is lost. vss library key phrase shows it again here.');
        } else if (v.encrypted) {
          printLine("It is sealed with the library's bucket key made before (vss library key phrase shows its recovery phrase).");
        }
      }, 'read');
    });

  volumes
    .command('track <id>')
    .description('keep a volume (its id or fingerprint) listed while it is unplugged')
    .option('--name <name>', 'a name for it')
    .action(async function (this: Command, ref: string, opts: { name?: string }) {
      await withLibrary(this, async (lib) => {
        const v = await lib.volumes.track(ref, opts.name !== undefined ? { name: opts.name } : {});
        if (globals(this).json) return printJson(v);
        printLine(`Tracking volume ${v.id}${v.name ? ` (${v.name})` : ''}`);
      }, 'read');
    });

  volumes
    .command('untrack <id>')
    .description('stop tracking a volume (its id or fingerprint): listed only while mounted')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const v = await lib.volumes.untrack(ref);
        if (globals(this).json) return printJson(v);
        printLine(`Volume ${v.id} is no longer tracked`);
      }, 'read');
    });

  volumes
    .command('speed <id>')
    .description('measure a volume\'s write and read speed (a temporary file of at most 64 MiB, removed after) and keep the figures')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const s = await lib.volumes.speed(ref);
        if (globals(this).json) return printJson(s);
        printLine(`write ${s.write_mbps} MB/s, read ${s.read_mbps} MB/s`);
      }, 'read');
    });
}

function line(v: VolumeInfo): string {
  if (v.fs === 's3') return `${v.id}  ${v.name ?? '-'}  ${v.mount_point}  bucket${v.online ? '' : '  (offline)'}  ${v.fingerprint}`;
  const flags = [v.online ? '' : 'offline', v.removable ? 'removable' : '', v.read_only ? 'read-only' : '', v.tracked ? 'tracked' : ''].filter(Boolean).join(', ');
  const speed = v.read_mbps !== null && v.write_mbps !== null ? `  r ${v.read_mbps} / w ${v.write_mbps} MB/s` : '';
  return `${v.id}  ${v.name ?? '-'}  ${displayPath(v.mount_point)}  ${v.fs}  ${formatBytes(v.free)} free of ${formatBytes(v.capacity)}${flags ? `  (${flags})` : ''}${speed}  ${v.fingerprint}`;
}
