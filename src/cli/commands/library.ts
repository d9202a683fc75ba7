import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { isDeviceAddress } from '../../api/words.js';
import { clientFor, globals, withLibrary } from '../context.js';
import { parseDeviceType } from '../parse.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

export function registerLibraryCommands(program: Command): void {
  const library = program.command('library').description('create, list and select libraries');

  library
    .command('create <name>')
    .description('make DIR/NAME.sdlibrary (default DIR: the data dir) and make it current')
    .option('--path <dir>', 'folder to create the library in')
    .action(async function (this: Command, name: string, opts: { path?: string }) {
      const out = await (await clientFor(this)).libraries.create(name, { dir: opts.path });
      if (globals(this).json) printJson(out);
      else printLine(`Created library ${out.name} at ${displayPath(out.path)} (now current)`);
    });

  library
    .command('list')
    .description('the libraries this device knows')
    .action(async function (this: Command) {
      const libs = await (await clientFor(this)).libraries.list();
      if (globals(this).json) return printJson(libs);
      if (libs.length === 0) return printLine('No libraries yet: run `vss library create NAME`.');
      for (const l of libs) printLine(`${l.current ? '*' : ' '} ${l.name}  ${displayPath(l.path)}${l.available ? '' : '  (missing)'}`);
    });

  library
    .command('open <path>')
    .description('make the library at PATH current')
    .action(async function (this: Command, path: string) {
      printCurrent(this, await (await clientFor(this)).libraries.use(path));
    });

  library
    .command('switch <library>')
    .description('make the library this device knows by that name or id current')
    .action(async function (this: Command, nameOrId: string) {
      printCurrent(this, await (await clientFor(this)).libraries.switch(nameOrId));
    });

  library
    .command('close [library]')
    .description('stop using a library (default: the current one): it is no longer current, and a running daemon lets go of it')
    .action(async function (this: Command, nameOrId: string | undefined) {
      const closed = await (await clientFor(this)).libraries.close(nameOrId);
      if (globals(this).json) return printJson(closed);
      printLine(`Closed library ${closed.name} (${displayPath(closed.path)})${closed.was_current ? '; no library is current now: `vss library switch NAME` picks one' : ''}`);
    });

  library
    .command('backup')
    .description("a snapshot of the library's own database now (tags, albums, people, notes, policies), made while it is in use: to a folder, a tracked drive, a paired device's location or an encrypted bucket (default: the library's backups/ folder); --every: the daemon makes one that often")
    .option('--to <dir|drive|DEVICE:/LOC|bucket>', "a folder (made if missing), a tracked drive's name or id (its vss-library-backups/LIBRARY_NAME/ folder), a paired device's location (its vss-library-backups/LIBRARY_ID/ folder, sent verified; the daemon's network needed), or an encrypted bucket volume (its name or s3://BUCKET/PREFIX: sealed, found again by `vss library recover`)")
    .option('--keep <n>', 'keep only the last N snapshots of that target (the older ones removed; not on another device, where every one is kept)')
    .option('--every <hours>', 'from now on the daemon makes one this often (keeping --keep, default 7)')
    .option('--no-schedule', 'end the schedule')
    .action(async function (this: Command, opts: { to?: string; keep?: string; every?: string; schedule?: boolean }) {
      const num = (v: string | undefined, what: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} takes a whole number, 1 or more, not ${JSON.stringify(v)}`);
        return n;
      };
      await withLibrary(this, async (lib) => {
        const keep = num(opts.keep, '--keep');
        const every = num(opts.every, '--every');
        const r = await lib.backup.make({
          ...(opts.to !== undefined ? { to: opts.to } : {}), ...(keep !== undefined ? { keep } : {}), ...(every !== undefined ? { every } : {}), ...(opts.schedule === false ? { unschedule: true } : {}),
        });
        if (globals(this).json) return printJson(r);
        printLine(`Snapshot ${r.snapshot}: ${r.device !== undefined ? r.path : displayPath(r.path)} (${formatBytes(r.bytes)})`);
        for (const p of r.removed) printLine(`  removed an older one: ${displayPath(p)}`);
        if (r.schedule) printLine(`  the daemon makes one every ${r.schedule.every_hours} h${r.schedule.to ? ` to ${r.schedule.to}` : ''}${r.schedule.to !== null && isDeviceAddress(r.schedule.to) ? ' (every one kept there; it waits while the device is away)' : `, keeping ${r.schedule.keep}`}`);
        if (r.device !== undefined) printLine(`  verified on ${r.device}; to restore it, copy it here first (vss content get ${r.path} --to DIR), then vss library restore DIR/${r.snapshot}.vss-library.db`);
        else printLine(`  restore it with: vss library restore ${displayPath(r.path)}`);
      });
    });

  library
    .command('backups')
    .description('the snapshots of the library this device made, newest first, each looked at now')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const all = await lib.backup.list();
        if (globals(this).json) return printJson(all);
        if (all.length === 0) return printLine('No snapshots yet: vss library backup [--to DIR|DRIVE]');
        for (const b of all) printLine(`${new Date(b.made_at).toISOString().slice(0, 16).replace('T', ' ')}  ${formatBytes(b.bytes).padStart(9)}  ${b.device !== undefined ? b.path : displayPath(b.path)}${b.present ? '' : b.device !== undefined ? `  (not in ${b.device}'s index as last heard)` : '  (not there now)'}`);
      }, 'read');
    });

  library
    .command('restore <snapshot>')
    .description("bring the library's database back as a snapshot has it: tags, ratings, notes, albums and policies as they were then (checked first; refused for another library's, or while the library is open: close it or stop the daemon); the database as it is now is kept as a snapshot first, and the rot and lost bucket objects found since are kept")
    .option('--library <library>', 'the library to restore (default: the current one, else the one the snapshot is of)')
    .action(async function (this: Command, snapshot: string, opts: { library?: string }) {
      // A snapshot on another device is a file there: copied here first, verified, then restored from this device's disk.
      if (isDeviceAddress(snapshot)) throw new UsageError(`${snapshot} is not a path here: a snapshot on another device is copied here first (vss content get DEVICE:/LOCATION/PATH --to DIR), then restored from DIR`);
      const r = await (await clientFor(this)).libraries.restore(resolvePath(snapshot), opts.library !== undefined ? { library: opts.library } : {});
      if (globals(this).json) return printJson(r);
      const made = new Date(r.made_at).toISOString();
      printLine(`Restored library ${r.name} from ${displayPath(r.restored)} (made ${made}).`);
      printLine(`  tags, ratings, notes, albums and policies are as they were then: what was made or changed after ${made} is not in it now`);
      printLine(`  the database as it was is kept, and brings all that back: vss library restore ${displayPath(r.before)}`);
      if (r.jobs_cancelled > 0) printLine(`  ${r.jobs_cancelled} job${r.jobs_cancelled === 1 ? '' : 's'} the snapshot had open ${r.jobs_cancelled === 1 ? 'was' : 'were'} cancelled, not run: ask again what is still wanted`);
      if (r.kept_rot + r.kept_lost_objects > 0) printLine(`  kept from now, as the disks say it: ${[r.kept_rot > 0 ? `${r.kept_rot} rotten file${r.kept_rot === 1 ? '' : 's'}` : '', r.kept_lost_objects > 0 ? `${r.kept_lost_objects} bucket object${r.kept_lost_objects === 1 ? '' : 's'} found gone or changed` : ''].filter(Boolean).join(' and ')} (vss guardian list --rot)`);
      if (r.unconfirmed_devices > 0) printLine(`  ${unconfirmedLine(r.unconfirmed_devices)}`);
      printLine('  a rescan of its locations brings their files up to date: vss location rescan LOC');
    });

  library
    .command('recover')
    .description("bring a library back from its encrypted bucket with its recovery phrase alone (a new computer, the old one lost): the newest snapshot there (vss library backup --to BUCKET made it), checked and installed in the data dir, made current; the bucket becomes a volume of this device, so vss content get reads the originals back from it and the Guardian counts them")
    .requiredOption('--from <s3://BUCKET/PREFIX>', 'the encrypted bucket, as it was added (vss volumes add … --encrypt)')
    .option('--phrase <words>', "the bucket key's 24-word recovery phrase (default: the environment's VSS_RECOVERY_PHRASE, which keeps it out of the shell's history)")
    .option('--endpoint <url>', "the service's URL, for storage other than AWS S3")
    .option('--region <region>', 'its region (default: AWS_REGION, else us-east-1)')
    .option('--path-style', 'address the bucket in the path (https://host/BUCKET/…)')
    .action(async function (this: Command, opts: { from: string; phrase?: string; endpoint?: string; region?: string; pathStyle?: boolean }) {
      const phrase = opts.phrase ?? process.env.VSS_RECOVERY_PHRASE;
      if (phrase === undefined) throw new UsageError('give the recovery phrase: --phrase "WORD WORD …" (24 words), or VSS_RECOVERY_PHRASE');
      const r = await (await clientFor(this)).libraries.recover(opts.from, {
        phrase, ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}), ...(opts.region !== undefined ? { region: opts.region } : {}), ...(opts.pathStyle ? { path_style: true } : {}),
      });
      if (globals(this).json) return printJson(r);
      printLine(`Recovered library ${r.library} at ${displayPath(r.path)} (now current), as its snapshot of ${new Date(r.made_at).toISOString()} has it.`);
      printLine(`  ${r.contents} content${r.contents === 1 ? '' : 's'} held in ${r.volume}: vss content get --all --to DIR brings them back, verified, under their folders (--dry-run first says how much, and what no copy holds)`);
      printLine("  the other device's locations are shown as that device's, offline: add this computer's folders with vss location add PATH");
      if (r.unconfirmed_devices > 0) printLine(`  ${unconfirmedLine(r.unconfirmed_devices)}`);
      printLine(`  keep it off-site again: vss library backup --to ${r.volume} --every 24`);
    });

  const key = library.command('key').description("the library's bucket key, that its encrypted buckets are sealed with");
  key
    .command('phrase')
    .description("show the bucket key's recovery phrase again (24 words: whoever has them reads the library's encrypted buckets); asks first on a terminal, else needs --yes")
    .option('--yes', 'show it without asking')
    .action(async function (this: Command, opts: { yes?: boolean }) {
      if (opts.yes !== true) {
        if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError('the recovery phrase is shown only when asked for plainly: --yes (or run it on a terminal, which asks)');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        rl.on('SIGINT', () => process.exit(130));
        const answer = await rl.question('Show the recovery phrase of this library\'s bucket key on this screen? Anyone who sees it can read its encrypted buckets. [y/N] ').finally(() => rl.close());
        if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('not shown');
      }
      await withLibrary(this, async (lib) => {
        const r = await lib.volumes.keyPhrase();
        if (globals(this).json) return printJson(r);
        printLine(`The recovery phrase of the library's bucket key (${r.key_id}):`);
        printLine('');
        printLine(`  ${r.phrase}`);
        printLine('');
        printLine(`Its age identity (age -d -i FILE reads any object of an encrypted bucket without vss): ${r.age_identity}`);
      }, 'read');
    });

  library
    .command('stats')
    .description('what the library holds: contents, files, bytes, locations, sidecars by kind and status')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const s = await lib.stats();
        if (globals(this).json) return printJson(s);
        printLine(`${s.name}  ${displayPath(s.path)}`);
        printLine(`  contents:  ${s.contents} (${formatBytes(s.content_bytes)} once each)`);
        printLine(`  files:     ${s.files} files and ${s.dirs} folders (${formatBytes(s.bytes)}) in ${s.locations} location${s.locations === 1 ? '' : 's'}`);
        printLine(`  sidecars:  ${formatBytes(s.sidecar_bytes)} in the library folder`);
        for (const [kind, byStatus] of Object.entries(s.sidecars)) {
          printLine(`    ${kind.padEnd(17)} ${Object.entries(byStatus).map(([status, n]) => `${n} ${status}`).join(', ')}`);
        }
      }, 'read');
    });

  library
    .command('current')
    .description('the library commands use when --library is not given')
    .action(async function (this: Command) {
      const known = await (await clientFor(this)).libraries.current();
      if (globals(this).json) printJson(known);
      else printLine(`${known.name}  ${displayPath(known.path)}`);
    });

  library
    .command('policy [policy]')
    .description('show or set which sidecars deep mode makes on a device type, e.g. "thumb=grid@1x+grid@2x,ocr,proxy=quick"; "default" resets')
    .option('--device-type <type>', 'desktop or mobile (default: this device\'s, VSS_DEVICE_TYPE or desktop)', parseDeviceType)
    .action(async function (this: Command, policy: string | undefined, opts: { deviceType?: string }) {
      await withLibrary(this, async (lib) => {
        const p = await (policy !== undefined ? lib.policy.set(policy, opts.deviceType) : lib.policy.get(opts.deviceType));
        if (globals(this).json) return printJson(p);
        printLine(`${p.device_type}: ${p.policy}${p.default ? ' (default)' : ''}`);
      }, 'read');
    });
}

/** The library made current, as `open` and `switch` report it. */
function printCurrent(cmd: Command, known: { name: string; path: string }): void {
  if (globals(cmd).json) printJson(known);
  else printLine(`Current library: ${known.name} at ${displayPath(known.path)}`);
}

/** What a restore or a recovery tells of the library's other devices: their copies wait to be heard of again. */
function unconfirmedLine(n: number): string {
  return `the copies on the library's ${n === 1 ? 'other device are' : `${n} other devices are`} not counted by the Guardian until ${n === 1 ? 'it is' : 'each is'} heard from again (it syncs with this device, or opens the library): the snapshot says what ${n === 1 ? 'it' : 'they'} held then, not now (vss guardian status)`;
}
