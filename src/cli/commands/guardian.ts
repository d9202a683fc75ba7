import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { BucketCheckResult, GuardianAtRisk, GuardianPolicyView, GuardianRotView, GuardianStatus, GuardianTally, PolicyChange, RepairResult, ScrubResult, ScrubSettings } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { contentRef } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { resolveLocationRef } from '../location-ref.js';
import { displayPath, formatAgo, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';
import { registerProtectCommand } from './guardian-protect.js';

function parseCount(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[0-9]{1,2}$/.test(value)) throw new UsageError(`${flag} is a whole number from 0 to 64, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function parseLimit(value: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(value)) throw new UsageError(`--limit is a whole number from 1 to 10000, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `vss guardian …` (issue 30): how many copies each content has, against the policy. */
export function registerGuardianCommands(program: Command): void {
  const guardian = program.command('guardian').description('keep every content safe: its copies across devices and drives, counted against a policy');

  guardian
    .command('policy')
    .description('set how many copies the library, a location or a tag asks for (with no numbers: print the policies)')
    .option('--copies <n>', 'copies of each content (one per drive: two files on one drive are one copy)', parseCount('--copies'))
    .option('--devices <n>', 'distinct devices holding a copy', parseCount('--devices'))
    .option('--offsite <n>', 'copies on devices other than this one', parseCount('--offsite'))
    .option('--location <loc>', "a location of this device (id, name or folder): its files' contents")
    .option('--tag <tag>', 'a tag (name or uuid): its contents (and those of the tags beneath it), wherever they are')
    .option('--clear', "forget the location's or tag's policy (the library's: back to the defaults)")
    .action(async function (this: Command, opts: { copies?: number; devices?: number; offsite?: number; location?: string; tag?: string; clear?: boolean }) {
      await withLibrary(this, async (lib) => {
        const numbers = opts.copies !== undefined || opts.devices !== undefined || opts.offsite !== undefined;
        if (!numbers && !opts.clear) {
          if (opts.location !== undefined || opts.tag !== undefined) throw new UsageError('give what the policy asks: --copies, --devices or --offsite (or --clear)');
          const all = await lib.guardian.policies();
          if (globals(this).json) return printJson(all);
          for (const p of all) printLine(policyLine(p));
          return;
        }
        const change: PolicyChange = {};
        if (opts.copies !== undefined) change.copies = opts.copies;
        if (opts.devices !== undefined) change.devices = opts.devices;
        if (opts.offsite !== undefined) change.offsite = opts.offsite;
        if (opts.location !== undefined) change.location = await resolveLocationRef(lib, opts.location);
        if (opts.tag !== undefined) change.tag = opts.tag;
        if (opts.clear) change.clear = true;
        const p = await lib.guardian.setPolicy(change);
        if (globals(this).json) return printJson(p);
        printLine(opts.clear && p.scope !== 'library' ? `${scopeName(p)}: policy forgotten` : policyLine(p));
      });
    });

  guardian
    .command('status')
    .description('contents and bytes that meet their policy, fall short, exist once, or only on drives or devices not seen for 30 days')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const s = await lib.guardian.status();
        if (globals(this).json) return printJson(s);
        for (const line of statusLines(s)) printLine(line);
      }, 'read');
    });

  guardian
    .command('list')
    .description('the contents that fall short of their policy, with their copies; or the files a scrub found rotten')
    .option('--at-risk', 'the contents short of their policy')
    .option('--rot', 'the files of this device whose bytes rotted (found by vss guardian scrub), not repaired yet')
    .option('--limit <n>', 'at most this many contents (default 100)', parseLimit)
    .action(async function (this: Command, opts: { atRisk?: boolean; rot?: boolean; limit?: number }) {
      if (opts.atRisk === opts.rot) throw new UsageError('say which list: --at-risk or --rot');
      await withLibrary(this, async (lib) => {
        if (opts.rot) {
          const rot = await lib.guardian.rot(opts.limit !== undefined ? { limit: opts.limit } : {});
          if (globals(this).json) return printJson(rot);
          if (rot.length === 0) return printLine('No rotten file found (vss guardian scrub looks).');
          for (const r of rot) printLine(rotLine(r));
          return;
        }
        const items = await lib.guardian.atRisk(opts.limit !== undefined ? { limit: opts.limit } : {});
        if (globals(this).json) return printJson(items);
        if (items.length === 0) return printLine('Every content meets its policy.');
        for (const it of items) for (const line of atRiskLines(it)) printLine(line);
      }, 'read');
    });

  guardian
    .command('scrub [locations...]')
    .description("hash this device's originals whole again (all its locations, or those named) to find rot: bytes changed while size and time did not")
    .option('--detach', 'queue the scrub and return at once (the daemon, or the next vss guardian scrub, runs it)')
    .action(async function (this: Command, refs: string[], opts: { detach?: boolean }) {
      await withLibrary(this, async (lib) => {
        const ids: string[] = [];
        for (const ref of refs) ids.push(String(await resolveLocationRef(lib, ref)));
        const out = await waitForJob(lib.events, 'Scrubbing', (call) => lib.guardian.scrub(ids, { detach: opts.detach === true, ...call }),
          (id) => `job ${id} goes on where it stopped (with the daemon at once; else at the next vss guardian scrub). vss jobs cancel ${id} stops it`, { bar: opts.detach !== true });
        if (out === undefined) return;
        if (globals(this).json) return printJson(out);
        if (opts.detach) return printLine(`queued as job ${out.job_id}`);
        for (const line of scrubLines(out)) printLine(line);
      });
    });

  guardian
    .command('check-buckets [buckets...]')
    .description("list this device's buckets (all, or those named: name, id or s3:// URL) and mark the objects vss put there that are gone or changed: they no longer count as copies")
    .option('--detach', 'queue the check and return at once (the daemon, or the next vss guardian check-buckets, runs it)')
    .option('--read', 'also read every object back whole (a download): an encrypted one authenticated, the BLAKE3 of its bytes held against the one uploaded')
    .action(async function (this: Command, refs: string[], opts: { detach?: boolean; read?: boolean }) {
      await withLibrary(this, async (lib) => {
        const out = await waitForJob(lib.events, 'Checking', (call) => lib.guardian.checkBuckets(refs, { detach: opts.detach === true, ...(opts.read ? { read: true } : {}), ...call }),
          (id) => `job ${id} goes on (with the daemon at once; else at the next vss guardian check-buckets). vss jobs cancel ${id} stops it`, { bar: false });
        if (out === undefined) return;
        if (globals(this).json) return printJson(out);
        if (opts.detach) return printLine(`queued as job ${out.job_id}`);
        for (const line of bucketCheckLines(out)) printLine(line);
      });
    });

  guardian
    .command('repair [contents...]')
    .description("replace rotten files (of the contents named, by a file's path or name or an id; or all) with a verified copy from elsewhere on this device; the damaged file is kept aside beside it")
    .option('--detach', 'queue the repair and return at once')
    .action(async function (this: Command, contents: string[], opts: { detach?: boolean }) {
      await withLibrary(this, async (lib) => {
        const out = await waitForJob(lib.events, 'Repairing', (call) => lib.guardian.repair(contents.map(contentRef), { detach: opts.detach === true, ...call }),
          (id) => `job ${id} goes on (with the daemon at once; else at the next vss guardian repair). vss jobs cancel ${id} stops it`, { bar: opts.detach !== true });
        if (out === undefined) return;
        // Something left rotten is not a success, though the rest was repaired.
        if ('refused' in out && out.refused.length > 0) process.exitCode = 1;
        if (globals(this).json) return printJson(out);
        if (opts.detach && out.job_id != null) return printLine(`queued as job ${out.job_id}`);
        for (const line of repairLines(out, contents.length > 0)) printLine(line);
      });
    });

  guardian
    .command('scrub-settings')
    .description("how this device scrubs: the read rate and how often the daemon scrubs each location (with no option: print them)")
    .option('--rate <MB/s>', 'read rate in MB/s (0: as fast as the disk goes)', parseRate)
    .option('--every <days>', "scrub each location at least every N days (the daemon); 'off': never on its own", parseEvery)
    .action(async function (this: Command, opts: { rate?: number; every?: number }) {
      await withLibrary(this, async (lib) => {
        const change: Partial<ScrubSettings> = {};
        if (opts.rate !== undefined) change.rate_mbps = opts.rate;
        if (opts.every !== undefined) change.every_days = opts.every;
        const s = await lib.guardian.scrubSettings(change);
        if (globals(this).json) return printJson(s);
        printLine(`read rate: ${s.rate_mbps === 0 ? 'no limit' : `${s.rate_mbps} MB/s`}; scheduled: ${s.every_days === 0 ? 'off' : `every ${s.every_days} day${s.every_days === 1 ? '' : 's'}`}`);
      });
    });

  registerProtectCommand(guardian);
}

function parseRate(value: string): number {
  if (!/^[0-9]{1,6}$/.test(value)) throw new UsageError(`--rate is whole MB/s from 0 (no limit) to 100000, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseEvery(value: string): number {
  if (value === 'off') return 0;
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) > 3650) throw new UsageError(`--every is a number of days from 1 to 3650, or off; got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A rotten file by its path (what `guardian repair` takes, with its name or id), when a scrub found it as a person says it. */
function rotLine(r: GuardianRotView): string {
  return `${displayPath(r.path)}  ${formatBytes(r.size)}  found ${formatAgo(r.found_at)}`;
}

/** The last part of PATH, a device's absolute path (either separator: a paired device may be Windows). */
const baseName = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

function scrubLines(r: ScrubResult): string[] {
  return [
    `Scrubbed ${r.files} file${r.files === 1 ? '' : 's'} (${formatBytes(r.bytes)}): ${r.rot === 0 ? 'no rot found' : `${r.rot} rotten (vss guardian list --rot; vss guardian repair)`}`,
    ...r.locations.map((l) => `  ${l.name}: ${l.skipped !== null ? `skipped, ${l.skipped}` : `${l.files} files, ${l.rot} rotten${l.edited > 0 ? `, ${l.edited} edited (rescanned)` : ''}`}`),
  ];
}

function bucketCheckLines(r: BucketCheckResult): string[] {
  const listed = r.buckets.reduce((n, b) => n + b.listed, 0);
  const lines = [`Checked ${r.buckets.length} bucket${r.buckets.length === 1 ? '' : 's'} (${listed} key${listed === 1 ? '' : 's'} listed): ${r.gone} object${r.gone === 1 ? '' : 's'} found gone, ${r.changed} changed now; ${r.lost} not counted as copies`];
  for (const b of r.buckets) {
    if (b.skipped !== null) {
      lines.push(`  ${b.name}: skipped, ${b.skipped}`);
      continue;
    }
    const pass = b.pass_done ? 'checked through' : 'checked in part, the rest at the next check';
    lines.push(`  ${b.name} (${b.url}): ${b.objects} object${b.objects === 1 ? '' : 's'} of vss, ${b.lost} gone or changed${b.back > 0 ? `, ${b.back} back as uploaded` : ''}; ${pass}`);
    if (b.read_all !== null) lines.push(`    ${b.read} read back whole, ${b.read_bad} of them not as uploaded${b.read_all ? '' : ' (the rest at the next --read: a run reads at most 4 GiB)'}`);
    for (const o of b.lost_items) lines.push(`    ${o.why}`);
    if (b.lost > b.lost_items.length) lines.push(`    and ${b.lost - b.lost_items.length} more (--json)`);
  }
  return lines;
}

function repairLines(r: RepairResult, named: boolean): string[] {
  if (r.repaired.length === 0 && r.refused.length === 0) return [`Nothing to repair: no rotten file ${named ? 'of these contents ' : ''}on this device (vss guardian scrub finds rot).`];
  return [
    ...r.repaired.map((f) => `repaired ${displayPath(f.path)} from ${displayPath(f.from)} (damaged file kept at ${displayPath(f.damaged)})`),
    ...r.refused.map((f) => `not repaired ${displayPath(f.path)}: ${f.reason}`),
  ];
}

function scopeName(p: GuardianPolicyView): string {
  if (p.scope === 'library') return 'library';
  return `${p.scope} ${p.name !== null ? JSON.stringify(p.name) : p.target}`;
}

function policyLine(p: GuardianPolicyView): string {
  const n = (v: number | null) => (v === null ? '-' : String(v));
  const since = p.scope === 'library' && p.updated_at === null ? '  (defaults)' : '';
  return `${scopeName(p)}: copies ${n(p.copies)}, devices ${n(p.devices)}, offsite ${n(p.offsite)}${since}`;
}

function tally(t: GuardianTally): string {
  return `${t.contents} content${t.contents === 1 ? '' : 's'} (${formatBytes(t.bytes)})`;
}

/** The library's own work (its database's snapshots), in words. */
function libraryLine(l: GuardianStatus['library']): string {
  if (l.snapshots === 0 || l.newest_at === null) return 'its own work (tags, albums, people, notes) is in no snapshot: vss library backup --to DRIVE (or a paired device\'s folder, or an encrypted bucket)';
  const hours = Math.round((Date.now() - l.newest_at) / 3_600_000);
  const ago = hours < 1 ? 'less than an hour ago' : hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
  return `${l.snapshots} snapshot${l.snapshots === 1 ? '' : 's'} of its own work, the newest ${ago}; ${l.fresh_drives} place${l.fresh_drives === 1 ? '' : 's'} (a drive, a paired device, a bucket) with one from the last 7 days`;
}

function statusLines(s: GuardianStatus): string[] {
  return [
    `policy: ${s.policy.copies} copies, on ${s.policy.devices} device${s.policy.devices === 1 ? '' : 's'}, ${s.policy.offsite} off this device${s.policy_chosen ? '' : ' (suggested, not chosen yet: vss guardian policy --copies N chooses one)'}`,
    `contents: ${tally({ contents: s.contents, bytes: s.bytes })}`,
    `  safe:   ${tally(s.safe)}`,
    `  short:  ${tally(s.short)}`,
    ...(s.lost.contents > 0 ? [`  lost:   ${tally(s.lost)}  (no copy that counts: every copy rotten${s.by_device.some((d) => d.unconfirmed_since !== null) ? ', or on a device not heard from since the restore' : ''}: guardian list --at-risk names them)`] : []),
    `  single: ${tally(s.single)}`,
    `  stale:  ${tally(s.stale)}`,
    `  rot:    ${tally(s.rot)}`,
    `library: ${libraryLine(s.library)}`,
    `protect: ${s.protect_schedule ? `the daemon runs it every ${s.protect_schedule.every_hours} h${s.protect_schedule.to !== null ? ` to ${s.protect_schedule.to}` : ''}, last ${formatAgo(s.protect_schedule.last_at)}` : 'on demand (vss guardian protect --to TARGET --every 24: the daemon keeps it up)'}`,
    ...(s.trash.files > 0 ? [`trash: ${s.trash.files} file${s.trash.files === 1 ? '' : 's'} (${formatBytes(s.trash.bytes)}), not counted as copies${s.trash.last > 0 ? `; ${s.trash.last} content${s.trash.last === 1 ? ' has its' : 's have their'} only bytes there (emptying the trash ends ${s.trash.last === 1 ? 'it' : 'them'}; vss trash restore brings one back)` : ''}`] : []),
    ...s.by_device.map((d) => `${d.name}: ${tally(d)}, last seen ${formatAgo(d.last_seen)}${d.unconfirmed_since !== null ? `; not heard from since the library was restored ${formatAgo(d.unconfirmed_since)}: its copies are not counted until it syncs with this device or opens the library` : ''}`),
  ];
}

function atRiskLines(it: GuardianAtRisk): string[] {
  const short = Object.entries(it.short_by).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${v === 1 ? k.replace(/ies$/, 'y').replace(/ices$/, 'ice') : k}`).join(', ');
  // The content by its first file's name (its copies' paths follow); the start of its id where no file is left.
  const name = it.copies[0] ? baseName(it.copies[0].path) : shortId(it.content_uuid);
  return [
    `${name}  ${it.kind}  ${formatBytes(it.size)}  ${it.lost ? `LOST: ${it.copies.some((c) => c.unconfirmed) ? 'no copy counts' : 'every copy is rotten'}` : `short by ${short}`}`,
    ...it.copies.map((c) => `  ${c.device_name}: ${displayPath(c.path)}${c.volume ? `  [${c.volume}]` : ''}${c.online ? '' : '  (offline)'}${c.rotten ? '  (rotten: not counted)' : c.unconfirmed ? '  (its device not heard from since the restore: not counted)' : c.verified_at !== null ? `  verified ${formatAgo(c.verified_at)}` : '  never verified'}`),
  ];
}
