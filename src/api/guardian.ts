import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { contentsOf } from './content-refs.js';
import { listPolicies, setPolicy, type PolicyChange } from '../guardian/policy.js';
import { atRisk, guardianStatus } from '../guardian/redundancy.js';
import { rotList } from '../guardian/rot-list.js';
import { queueDueScrub } from '../guardian/scrub-job.js';
import { TRASH_DAYS } from '../files/trash-bin.js';
import { readScrubSettings, writeScrubSettings } from '../guardian/scrub-settings.js';
import { checkEveryHours } from '../guardian/library-schedules.js';
import { protectDue, protectStarted, readProtectSchedule, writeProtectSchedule, type ProtectSchedule } from '../guardian/protect-schedule.js';
import type { InputOf } from '../ops/facade.js';
import type { OpCall, OpHost } from '../ops/op.js';
import type { ProtectResult } from '../ops/transfer/protect.js';
import type { JobRow } from '../jobs/states.js';
import type { BucketCheckResult, BucketCheckView, GuardianAtRisk, GuardianPolicyView, GuardianProtected, GuardianProtectPlan, GuardianProtectTarget, GuardianRotView, GuardianStatus, RepairResult, ScrubResult, ScrubSettings } from '../wire/guardian.js';

export type { BucketCheckResult, BucketCheckView, GuardianAtRisk, GuardianPolicyView, GuardianProtected, GuardianProtectPlan, GuardianProtectTarget, GuardianRotView, GuardianStatus, PolicyChange, ProtectResult, ProtectSchedule, RepairResult, ScrubResult, ScrubSettings };

export interface ProtectOptions extends OpCall {
  /** A folder of this device's locations (absolute), a drive (name, fingerprint or id); absent: the first drive with room that lacks each content. */
  to?: string;
  /** The daemon runs this protect again every EVERY hours from now on (guardian/protect-schedule.ts). */
  every?: number;
  /** End the schedule, and nothing else: no protect runs (a target of it may be gone). */
  unschedule?: boolean;
}

/** A protect as its caller sees it: its job (null: nothing to copy) and, once ended, what it did (`protected`: what landed as its content, counted from its files). */
export interface ProtectOutcome {
  job: JobRow | null;
  result: (ProtectResult & { protected?: GuardianProtected }) | null;
  /** The protect schedule of this library on this device, as it is now (null: none). */
  schedule: ProtectSchedule | null;
}

/** How often the daemon looks for a location due for its scrub (VSS_GUARDIAN_LOOK_MS: a test's, first look included). */
const LOOK_MS = Number(process.env.VSS_GUARDIAN_LOOK_MS) || undefined;
const SCRUB_LOOK_EVERY_MS = LOOK_MS ?? 3600_000;
/** The first look, once the daemon's start (its rescans) has settled. */
const SCRUB_FIRST_LOOK_MS = LOOK_MS ?? 5 * 60_000;

/**
 * The Guardian (`vss guardian`, issue 30): how many copies each content has across devices and
 * drives, against the policy of the library, a location or a tag; rot found by scrubs and repaired.
 */
export class GuardianApi {
  constructor(private readonly lib: Library, private readonly online: () => ReadonlySet<string>, private readonly host: OpHost) {}

  /** Every policy: the library's (its defaults where never set), then locations' and tags'. */
  policies(): GuardianPolicyView[] {
    return listPolicies(this.lib);
  }

  /** Set what the library, a location (`location`: this device's, by id) or a tag (`tag`: uuid or name) asks; `clear` forgets it. */
  setPolicy(change: PolicyChange = {}): GuardianPolicyView {
    return setPolicy(this.lib, change);
  }

  /** Contents and bytes that meet their policy, fall short, exist once, or only on drives or devices not seen for 30 days; rotten ones; each device's share. */
  status(): GuardianStatus {
    return guardianStatus(this.lib, Date.now(), readProtectSchedule(this.dataDir(), this.lib.config.id));
  }

  /** The contents short of their policy, fewest copies first, with every file that holds each (`limit`: 100 unless asked). */
  atRisk(opts: { limit?: number } = {}): GuardianAtRisk[] {
    return atRisk(this.lib, this.online(), opts);
  }

  /** The files of this device a scrub found rotten and not repaired yet, oldest found first (`limit`: 100 unless asked). */
  rot(opts: { limit?: number } = {}): GuardianRotView[] {
    return rotList(this.lib, opts);
  }

  /**
   * Scrub LOCATIONS (this device's, by id; none: all of them): every file hashed whole again at
   * the device's read rate, as a durable job (`guardian-scrub`) that goes on where it stopped
   * after a kill; what it found. DETACH: queued, not waited for (the daemon works it).
   */
  async scrub(locations: string[] = [], opts: OpCall = {}): Promise<ScrubResult & { job_id: number | null }> {
    const ids = locations.map((ref) => {
      if (!/^[1-9][0-9]{0,15}$/.test(ref)) throw new UsageError(`a location to scrub is named by its id, got ${JSON.stringify(ref)}`);
      return Number(ref);
    });
    const { job, result } = await this.perform('guardian-scrub', { locations: ids }, opts);
    return { ...(result ?? { locations: [], files: 0, bytes: 0, rot: 0 }), job_id: job?.id ?? null };
  }

  /**
   * Repair the rotten files of CONTENTS (as any command names a content: a uuid or its start, a
   * file's path or name; none: every rotten file of this device) from a verified copy elsewhere on
   * this device, the damaged file kept aside (`.vss-damaged-TIME-NAME` beside it), as a durable
   * job (`guardian-repair`). Refused when nothing could be repaired.
   */
  async repair(contents: string[] = [], opts: OpCall = {}): Promise<RepairResult & { job_id: number | null }> {
    if (!this.host) throw new VssError('IO', 'this library was opened without its data dir');
    const { performTransfer } = await import('../ops/facade.js');
    const { job, result } = await performTransfer(this.host, { asked: 'repair', contents: contents.length > 0 ? contentsOf(this.lib, contents) : [] }, opts);
    return { ...(result ?? { repaired: [], refused: [] }), job_id: job?.id ?? null };
  }

  /**
   * Check BUCKETS (this device's bucket volumes, by name, id or URL; none: all of them): the
   * objects vss put there held against a listing of each bucket (keys, sizes, ETags: requests,
   * no download), those gone or changed marked so they no longer count, as a durable job
   * (`guardian-check-buckets`) that lists a bounded number of keys a run and goes on from there
   * the next run. DETACH: queued, not waited for. READ: every object read back whole too (the scrub of a bucket).
   */
  async checkBuckets(buckets: string[] = [], opts: OpCall & { read?: boolean } = {}): Promise<BucketCheckResult & { job_id: number | null }> {
    const { read, ...call } = opts;
    const { job, result } = await this.perform('guardian-check-buckets', { buckets, ...(read === true ? { read } : {}) }, call);
    return { ...(result ?? { buckets: [], gone: 0, changed: 0, lost: 0 }), job_id: job?.id ?? null };
  }

  /** How this device scrubs: its read rate and how often the daemon scrubs each location; CHANGE sets them first. */
  scrubSettings(change: Partial<ScrubSettings> = {}): ScrubSettings {
    const dataDir = this.dataDir();
    return Object.keys(change).length > 0 ? writeScrubSettings(dataDir, change) : readScrubSettings(dataDir);
  }

  /**
   * The daemon's schedule: every hour, the location most overdue for its scrub (every
   * `every_days`) is queued, one at a time, at a background priority; and a check of the buckets
   * due (a pass under way goes on; one whose last pass ended a day ago starts again); and the
   * trash emptied of what was deleted 30 days ago, as the Guardian lets it (a content's last bytes
   * stay, and `guardian status` says so); and a snapshot of the library's database when its
   * schedule says one is due (`vss library backup --every`). Returns the stop.
   */
  keepScrubbing(onError: (err: unknown) => void): () => void {
    const dataDir = this.dataDir();
    // The sweep reads whole the copies each trashed file leans on (DESIGN §21): one at a time, stopped with the schedule.
    const stop = new AbortController();
    let sweeping = false;
    const sweep = () => {
      if (sweeping) return;
      sweeping = true;
      import('../ops/trash-empty.js').then(({ emptyTrash }) => emptyTrash(this.host, { olderThanDays: TRASH_DAYS, signal: stop.signal }))
        .catch((err: unknown) => { if (!stop.signal.aborted) onError(err); })
        .finally(() => { sweeping = false; });
    };
    const look = () => {
      try {
        queueDueScrub(this.lib, dataDir);
      } catch (err) {
        onError(err);
      }
      // The S3 client is loaded at the first look, not by every command that opens the API.
      import('../guardian/bucket-check.js').then(({ queueDueBucketCheck }) => queueDueBucketCheck(this.lib)).catch(onError);
      sweep();
      import('./library-backup.js').then(({ backupWhenDue }) => backupWhenDue(this.host)).catch(onError);
      protectWhenDue(this.host).catch(onError);
    };
    const first = setTimeout(look, SCRUB_FIRST_LOOK_MS);
    const every = setInterval(look, SCRUB_LOOK_EVERY_MS);
    first.unref();
    every.unref();
    return () => {
      clearTimeout(first);
      clearInterval(every);
      stop.abort(new Error('the daemon let go of the library'));
    };
  }

  private dataDir(): string {
    if (!this.host) throw new VssError('IO', 'this library was opened without its data dir');
    return this.host.dataDir;
  }

  private async perform<N extends 'guardian-scrub' | 'guardian-check-buckets'>(name: N, input: InputOf<N>, call: OpCall) {
    if (!this.host) throw new VssError('IO', 'this library was opened without its data dir');
    const { perform } = await import('../ops/facade.js');
    return perform<N>(this.host, name, input, call);
  }

  /**
   * Copy the contents short of their policy onto drives of this device that lack them (`guardian
   * protect`): one durable job (`guardian-protect`), each copy verified by BLAKE3, resumed after a
   * kill -9, indexed; the action log says `protect`. What cannot be copied here is named in its
   * `not_planned`. Nothing to copy: answered at once, without a job.
   */
  async protect(opts: ProtectOptions = {}): Promise<ProtectOutcome> {
    const { to, every, unschedule, ...call } = opts;
    if (unschedule && (every !== undefined || to !== undefined)) throw new UsageError('--no-schedule ends the schedule and runs nothing: give it alone (no --every, no --to)');
    if (every !== undefined) checkEveryHours(every);
    const started = Date.now();
    const dataDir = this.dataDir();
    const id = this.lib.config.id;
    // Only ended: its target may be gone, and a protect it did not ask for would copy somewhere it did not choose.
    if (unschedule) return { job: null, result: null, schedule: writeProtectSchedule(dataDir, id, null) };
    // Set once the protect is planned (its job queued, or nothing to copy): kept only for a target a protect could be
    // planned to, and not lost when the wait for its job is cut short (the job goes on). Written once.
    let set: ProtectSchedule | null | undefined;
    const schedule = (): ProtectSchedule | null => {
      if (set === undefined) set = every !== undefined ? writeProtectSchedule(dataDir, id, { to: to ?? null, every_hours: every }, started) : readProtectSchedule(dataDir, id);
      return set;
    };
    const { performTransfer } = await import('../ops/facade.js');
    const out = await performTransfer(this.host, { asked: 'protect', ...(to !== undefined ? { to } : {}) }, {
      ...call, onQueued: (job) => { schedule(); call.onQueued?.(job); },
    });
    const now = schedule();
    if (!out.job || !out.result?.copied) return { ...out, schedule: now };
    // Its plan says what it meant to copy; what it protected is what landed as its content.
    const { protectedBy } = await import('../guardian/protect-outcome.js');
    return { ...out, result: { ...out.result, protected: protectedBy(this.lib, out.job.id) }, schedule: now };
  }

  /** The protect's plan, shown and not run (`--dry-run`): no job, no row in the action log. */
  async protectPreview(opts: { to?: string } = {}): Promise<GuardianProtectPlan> {
    const { previewTransfer } = await import('../ops/preview.js');
    return previewTransfer(this.host, { asked: 'protect', ...(opts.to !== undefined ? { to: opts.to } : {}) });
  }
}

/**
 * HOST's library's scheduled protect when one is due (the daemon's hourly look): queued as the
 * command queues it (detached), unless one is under way still — a protect that takes longer than
 * its period, or waits for a device away, is not doubled. Its start is recorded before it is
 * queued: a target that refuses it is tried again next period, not every hour. Other refusals are
 * thrown for the look to report.
 */
export async function protectWhenDue(host: OpHost, now = Date.now()): Promise<void> {
  const id = host.lib.config.id;
  const schedule = readProtectSchedule(host.dataDir, id);
  if (!schedule || !protectDue(schedule, now)) return;
  protectStarted(host.dataDir, id, now);
  const { performTransfer } = await import('../ops/facade.js');
  try {
    await performTransfer(host, { asked: 'protect', ...(schedule.to !== null ? { to: schedule.to } : {}) }, { detach: true });
  } catch (err) {
    // One under way (ops/transfer/protect.ts refuses a second): it is this period's.
    if (!(err instanceof VssError && err.code === 'WRONG_STATE')) throw err;
  }
}
