import { dirname } from 'node:path';
import { VssError } from '../core/errors.js';
import type { JobKind } from '../jobs/job-kind.js';
import { queueUserJob } from '../jobs/user-job.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import { DEFAULT_ON_CONFLICT, kindOf, MAX_PARAMS_CHARS, paramsOf, type FileOp, type FileOpParams, type FileOpResult, type OnConflict } from '../files/file-op.js';
import { discardHere, fileOpTimeoutMs, runHere } from './transfer/run/here-run.js';
import { planDelete, plannedFiles, planTransfer, type LeavingFile, type PlannedOp } from '../files/plan.js';
import { resolveSources, type ResolvedSources } from '../files/content-sources.js';
import type { OpPreview } from '../wire/preview.js';
import { belowPolicy, policyRefusal, weighDrop, type DropHold } from '../guardian/guard.js';
import { witnessesOf } from './witnesses.js';
import { belowOnceTrashed } from '../guardian/left-in-trash.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import type { DurableOp, OpHost, Plan, Way } from './op.js';
import type { Party } from '../files/destination.js';
import { previewOf } from './file-op-preview.js';

/** Tries before a file operation fails for good (a drive away waits without spending one). */
const MAX_ATTEMPTS = 5;

/** A copy or move as asked: SRCS (absolute paths, or content uuids: one file of each here for a copy, all of them for a move) to DST. */
export interface TransferInput {
  srcs: string[];
  dst: string;
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: OnConflict;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
  /** Move (or replace) even what leaves a content below its policy. */
  force?: boolean;
  /** Who asks: only this machine's user names sources outside the library's locations (files/destination.ts). */
  party?: Party;
}

/** A delete as asked: PATHS (absolute, or content uuids: all their files on this device), into the trash or for good. */
export interface DeleteInput {
  paths: string[];
  /** For good, not into the trash. */
  permanent?: boolean;
  /** Delete even what leaves a content below its policy (its last copy too). */
  force?: boolean;
  /** Delete what the guard lets go and keep the rest: the contents it refuses are left out, named in the result (the grid's bulk delete). */
  keepRefused?: boolean;
  /** Let go for this content, kept in their place (`similar keep`): none of them is deleted whole. */
  keptInstead?: string;
}

/** `files copy` or `files move` (DESIGN §17): the sources checked and listed item by item before the job is queued. */
export function transferOp(op: 'copy' | 'move'): Way<TransferInput, FileOpResult | null> {
  const planned = (host: OpHost, input: TransferInput): PlannedOp & Unresolved => {
    const onConflict = input.onConflict ?? DEFAULT_ON_CONFLICT;
    const { paths, not_here, already_there } = resolveSources(host.lib, input.srcs, 'one', { dst: input.dst, into: input.into === true, move: op === 'move' });
    return { ...planTransfer(host.lib, op, paths, input.dst, onConflict, input.into === true, input.party), not_here, already_there };
  };
  return {
    ...fileOpParts(op),
    plan: (host, input) => queued(host, op, guarded(host, op, planned(host, input), input.force === true)),
    preview: (host, input) => previewed(host, op, planned(host, input)),
  };
}

/**
 * `files delete` (DESIGN §17, §21): into the trash, never refused for copy counts (it loses
 * nothing: the Guardian decides when the trash is emptied), what it leaves below policy or alone
 * named in its result; for good (`permanent`), what leaves a content below its policy (its last
 * copy too) is refused without `force`.
 */
export function deleteOp(): DurableOp<DeleteInput, FileOpResult | null> {
  const planned = (host: OpHost, input: DeleteInput): PlannedOp & Unresolved => {
    const { paths, not_here, already_there } = resolveSources(host.lib, input.paths, 'all');
    const plan = planDelete(host.lib, paths);
    return { ...plan, params: { ...plan.params, trash: input.permanent !== true, ...(input.keptInstead !== undefined ? { kept_instead: input.keptInstead } : {}) }, not_here, already_there };
  };
  return {
    ...fileOpParts('delete'),
    kinds: (host) => [fileOpParts('delete').kind(host)],
    action: 'delete',
    asked: (input) => ({ sources: input.paths, target: null }),
    plan: (host, input) => queued(host, 'delete', input.permanent === true ? guarded(host, 'delete', planned(host, input), input.force === true, input.keepRefused === true) : intoTrash(host, planned(host, input))),
    preview: (host, input) => previewed(host, 'delete', planned(host, input)),
  };
}

/** The contents named that a plan leaves out: with no file here, or in the destination already. */
type Unresolved = Pick<ResolvedSources, 'not_here' | 'already_there'>;

/** PLAN's preview, naming the contents named that it leaves out. */
function previewed(host: OpHost, op: FileOp, plan: PlannedOp & Unresolved): OpPreview {
  const p = previewOf(host.lib, op, plan, witnessesOf(host));
  return {
    ...p,
    ...(plan.not_here.length > 0 ? { not_here: plan.not_here } : {}),
    ...(plan.already_there.length > 0 ? { already_there: plan.already_there } : {}),
  };
}

/**
 * What a queued operation takes away weighed again as it runs (ops/transfer/run/), with every
 * witness asked: another delete run since, a file changed, a device gone, can make what was safe
 * when it was asked the last copy now. FORCED: only the other devices' locks are respected.
 * PERMANENT (a delete not into the trash): the files here it leans on are read whole first.
 */
function guardNow(host: OpHost, leaving: readonly LeavingFile[], forced: boolean, signal: AbortSignal, permanent = false): Promise<DropHold> {
  return weighDrop(host.lib, leaving, forced ? {} : witnessesOf(host), { signal, forced, permanent });
}

/**
 * PLAN refused when it leaves a content below its policy (guardian/guard.ts), unless FORCE: then
 * the contents it leaves short travel in the job's params, and its result names them.
 */
function guarded(host: OpHost, op: FileOp, plan: PlannedOp, force: boolean, keepRefused = false): PlannedOp {
  const below = belowPolicy(host.lib, plan.leaving, witnessesOf(host));
  if (below.length === 0) return force ? { ...plan, params: { ...plan.params, forced: true } } : plan;
  if (!force && keepRefused && op === 'delete') return withoutRefused(host, plan, below);
  if (!force) throw policyRefusal(op, below);
  return { ...plan, params: { ...plan.params, forced: true, forced_below: namedWithin(plan, below) } };
}

/**
 * A delete into the trash (PLAN) as asked, whatever it leaves below policy: a file in the trash
 * is restorable for 30 days, and its bytes go only at the permanent step, which the Guardian
 * weighs (ops/trash-empty.ts). The contents it leaves below policy are named in its result, each
 * with `nowhere_else` where no other file or object of it is known anywhere.
 */
function intoTrash(host: OpHost, plan: PlannedOp): PlannedOp {
  const below = belowOnceTrashed(host.lib, plan.leaving, witnessesOf(host));
  return below.length === 0 ? plan : { ...plan, params: { ...plan.params, left_below: namedWithin(plan, below) } };
}

/**
 * A delete's PLAN without the files of the contents the guard refuses (BELOW), and the folders
 * that hold them: the rest goes on, the refused are named in its params and its result. Refused
 * whole when nothing is left.
 */
function withoutRefused(host: OpHost, plan: PlannedOp, below: readonly GuardianBelowPolicy[]): PlannedOp {
  const refused = new Set(below.filter((b) => b.changed === undefined).map((b) => b.content_uuid));
  // A file whose bytes vss does not know now is kept by its path (it may hold no content the index knows).
  const changed = new Set(below.filter((b) => b.changed !== undefined).map((b) => b.path));
  const contentOf = (f: LeavingFile) => f.content_uuid ?? host.lib.store.entries.fileAt(f.locationId, f.rel)?.content_uuid ?? undefined;
  const kept = plan.leaving.filter((f) => { const c = contentOf(f); return changed.has(f.path) || (c !== undefined && refused.has(c)); }).map((f) => f.path);
  const keptPaths = new Set(kept);
  // The folders holding a kept file stay too: every ancestor of each, once (a folder test per item, not per kept file).
  const holding = new Set<string>();
  for (const k of kept) {
    for (let d = dirname(k); !holding.has(d) && d !== dirname(d); d = dirname(d)) holding.add(d);
  }
  const items = plan.items.filter((it) => !keptPaths.has(it.src) && !(it.size < 0 && holding.has(it.src)));
  if (plannedFiles(items) === 0) throw policyRefusal('delete', below);
  const rest = { ...plan, items, bytes: items.reduce((n, i) => n + Math.max(0, i.size), 0), leaving: plan.leaving.filter((f) => !keptPaths.has(f.path)) };
  return { ...rest, params: { ...rest.params, kept_below: namedWithin(rest, below) } };
}

/** BELOW named within a budget of PLAN's params, which a job must be able to read back whole. */
function namedWithin(plan: PlannedOp, below: readonly GuardianBelowPolicy[]): GuardianBelowPolicy[] {
  const named: GuardianBelowPolicy[] = [];
  let chars = JSON.stringify(plan.params).length;
  for (const b of below.slice(0, MAX_NAMED_BELOW)) {
    chars += JSON.stringify(b).length + 1;
    if (chars > MAX_PARAMS_CHARS / 2) break;
    named.push(b);
  }
  return named;
}

/** Whether a job of OP with P is a delete into the trash: it lets nothing go, so nothing is weighed as it runs (DESIGN §21). */
function letsNothingGo(op: FileOp, p: FileOpParams): boolean {
  return op === 'delete' && p.trash === true;
}

/** Whether a job of OP with P lets something go for good: a delete not into the trash, or a replace. */
function permanentStep(op: FileOp, p: FileOpParams): boolean {
  return (op === 'delete' && p.trash !== true) || (op !== 'delete' && p.on_conflict === 'replace');
}

/** Contents below their policy a forced operation's job keeps by name. */
const MAX_NAMED_BELOW = 50;

/** What the three file operations share: their kind (one run for all three), and how their result reads. */
function fileOpParts(op: FileOp): Omit<Way<unknown, FileOpResult | null>, 'plan'> {
  const name = kindOf(op);
  return {
    name,
    kind: (host: OpHost): JobKind => ({
      name, concurrency: 2, timeoutMs: fileOpTimeoutMs,
      // A delete not into the trash is the permanent step (DESIGN §21), and so is a replace (what it gives up goes for good, into
      // no trash); a job from before the trash had no `trash` and deleted for good.
      run: (job, ctx) => runHere(host.lib, job, ctx, letsNothingGo(op, paramsOf(job)) ? undefined : (leaving, forced, signal) => guardNow(host, leaving, forced, signal, permanentStep(op, paramsOf(job)))),
      discard: (job, lib) => discardHere(lib, job),
    }),
    result(row: JobRow): FileOpResult | null {
      if (row.status === 'completed') return row.result !== null ? withForced(JSON.parse(row.result) as FileOpResult, row) : null;
      if (row.status === 'cancelled') throw new VssError('WRONG_STATE', `the file operation (job ${row.id}) was cancelled; what was finished is kept`);
      throw new VssError('IO', `the file operation (job ${row.id}) failed: ${row.error ?? 'no reason given'}`);
    },
  };
}

/** PLAN queued as a user's request (ahead of the background work): the job and its items, in one transaction. */
function queued<R>(host: OpHost, op: FileOp, plan: PlannedOp): Plan<R> {
  return {
    size: { files: plannedFiles(plan.items), bytes: plan.bytes },
    queue: () => queueUserJob(host.lib, { kind: kindOf(op), maxAttempts: MAX_ATTEMPTS, bytes: plan.bytes, params: JSON.stringify(plan.params), items: plan.items }, `the ${op}`),
  };
}

/** RESULT with the contents its job was forced to leave below their policy, or kept as the guard asked, as its params named them. */
function withForced(result: FileOpResult, row: JobRow): FileOpResult {
  const params = paramsJson(row, MAX_PARAMS_CHARS) as { forced_below?: unknown; kept_below?: unknown; left_below?: unknown } | undefined;
  const forced = Array.isArray(params?.forced_below) ? params.forced_below : params?.left_below;
  const kept = params?.kept_below;
  return {
    ...result,
    ...(Array.isArray(forced) && forced.length > 0 ? { below_policy: forced as GuardianBelowPolicy[] } : {}),
    ...(Array.isArray(kept) && kept.length > 0 ? { kept_below: kept as GuardianBelowPolicy[] } : {}),
  };
}
