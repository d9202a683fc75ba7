import type { Command } from 'commander';
import type { GuardianProtectPlan, ProtectSchedule } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { asTypedTarget } from '../../core/address.js';
import { globals, withLibrary } from '../context.js';
import { withFileOpFlags } from '../file-op-flags.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';

/** Contents not planned the human output names (--json has them all). */
const SHOWN = 20;

/**
 * `vss guardian protect` (issue 30): copy the contents short of their policy onto drives of this
 * device that lack them, as one verified, resumable job; `--dry-run` prints the plan.
 */
export function registerProtectCommand(guardian: Command): void {
  const protect = guardian
    .command('protect')
    .description('copy the contents short of their policy onto drives of this device, or a paired device, that lack them (verified, resumable; --dry-run: the plan)')
    .option('--to <target>', 'a folder of your locations (a path: ./x or /x; copies land as FOLDER/<location>/<path>), a drive (its name, fingerprint or id: into a location on it, under vss-protect/), a paired device\'s folder (DEVICE:/LOCATION/PATH, through the daemon), or a bucket volume (its name or s3:// address); default: the first drive with room that lacks each content');
  protect
    .option('--every <hours>', 'and again that often: the daemon runs the same protect every HOURS hours (an encrypted bucket kept up to date off-site); kept on this device')
    .option('--no-schedule', 'end the schedule, and run nothing (no --to)');
  withFileOpFlags(protect, 'protect')
    .action(async function (this: Command, opts: { to?: string; dryRun?: boolean; detach?: boolean; every?: string; schedule?: boolean }) {
      const to = opts.to === undefined ? undefined : asTypedTarget(opts.to);
      const json = globals(this).json === true;
      const scheduling = { ...(opts.every !== undefined ? { every: parseHours(opts.every) } : {}), ...(opts.schedule === false ? { unschedule: true } : {}) };
      await withLibrary(this, async (lib) => {
        if (opts.dryRun) {
          if (scheduling.every !== undefined || scheduling.unschedule) throw new UsageError('--dry-run changes nothing: --every and --no-schedule go with a protect that runs');
          const plan = await lib.guardian.protectPreview(to !== undefined ? { to } : {});
          if (json) return printJson(plan);
          printLine(`Dry run: would copy ${count(plan.contents, 'content')} (${count(plan.files, 'file')}, ${formatBytes(plan.bytes)}); nothing was changed`);
          return printPlan(plan);
        }
        const out = await waitForJob(lib.events, 'Protecting', (call) => lib.guardian.protect({ ...(to !== undefined ? { to } : {}), detach: opts.detach === true, ...scheduling, ...call }),
          (id) => `job ${id} resumes where it was (with the daemon at once; else at the next vss command that runs jobs). vss jobs cancel ${id} stops it`, { bar: opts.detach !== true });
        if (out === undefined) return;
        if (json) return printJson(out);
        const { job, result } = out;
        const said = scheduleLine(out.schedule, scheduling.unschedule === true);
        if (scheduling.unschedule) return printLine(said!);
        if (!result) {
          printLine(`queued as job ${job!.id}: protect of ${formatBytes(job!.bytes)} (vss jobs info ${job!.id})`);
          if (said) printLine(said);
          return;
        }
        const copied = result.copied;
        // What landed as its content, not what the plan meant to copy (a source rotten without a sign is copied, and is no copy).
        const done = result.protected ?? { contents: result.contents, files: copied?.done ?? 0, bytes: copied?.bytes ?? 0, not_its_content: [] };
        const notIts = done.not_its_content.length;
        if (!copied) printLine(result.not_planned_count === 0 ? 'Every content meets its policy: nothing to copy.' : 'Nothing could be copied here.');
        else printLine(`Protected ${count(done.contents, 'content')}: copied ${formatBytes(done.bytes)} (${count(done.files, 'file')}${copied.skipped > 0 ? `, ${copied.skipped} skipped` : ''}${notIts > 0 ? `, ${notIts} not protected` : ''}; verified; job ${job!.id})`);
        for (const s of copied?.skipped_items ?? []) printLine(`skipped ${displayPath(s.path)}: ${s.reason}`);
        for (const s of done.not_its_content) printLine(`not protected ${displayPath(s.path)}: ${s.reason}`);
        printPlan({ ...result, not_planned_total: result.not_planned_count }, 'planned ');
        if (said) printLine(said);
      });
    });
}

/** What the schedule is now, when the command set or ended it (else nothing: a plain protect says nothing of it). */
function scheduleLine(s: ProtectSchedule | null, ended: boolean): string | undefined {
  if (ended) return 'No protect schedule on this device now: the daemon runs none.';
  if (!s) return undefined;
  return `The daemon runs this protect again every ${s.every_hours} h${s.to !== null ? ` to ${displayPath(s.to)}` : ''} (vss guardian protect --no-schedule ends it).`;
}

/** --every's hours as a whole number (the API checks their range). */
function parseHours(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--every takes whole hours, not ${JSON.stringify(v)}`);
  return n;
}

function printPlan(plan: GuardianProtectPlan & { not_planned_total?: number }, what = ''): void {
  for (const t of plan.targets) {
    printLine(`  ${what}to ${displayPath(t.target)}${t.drive !== null ? ` [${t.drive}]` : ''}: ${count(t.files, 'file')}, ${formatBytes(t.bytes)}${t.free_bytes !== null ? ` (${formatBytes(t.free_bytes)} free)` : ''}`);
  }
  const total = plan.not_planned_total ?? plan.not_planned.length;
  if (total > 0) {
    printLine(`Not copied: ${count(total, 'content')} short of their policy`);
    for (const n of plan.not_planned.slice(0, SHOWN)) printLine(`  ${n.content_uuid}: ${n.reason}`);
    if (total > SHOWN) printLine(`  and ${total - SHOWN} more (--dry-run --json names them all)`);
  }
  if (plan.more) printLine('More contents are short than one protect plans (100 000): run it again for the rest.');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
