import { JobKinds, type JobKind } from '../jobs/job-kind.js';
import type { OpHost } from './op.js';
import { wayInProcess } from './transfer/strategies.js';

/**
 * Every durable user operation, one line each: which of its job kinds can be worked in a process
 * without the daemon (they need no network), and its module, loaded when first used (a send's
 * brings the P2P code). Verified bytes travel by one operation, the transfer: a new way (a kind of
 * storage, of source) is a row of transfer/strategies.ts and its module in transfer/, not a line
 * here. Another durable operation is its folder under src/ops/ and one line here; this and the
 * generators' kinds (jobs/default-kinds.ts) are the only places job kinds are assembled
 * (test/architecture/job-kinds.test.ts).
 */
export const OPERATIONS = {
  transfer: { inProcess: wayInProcess, load: () => import('./transfer/transfer.js').then((m) => m.transfer) },
  'files-delete': { inProcess: always, load: () => import('./files-delete/operation.js').then((m) => m.filesDelete) },
  'guardian-scrub': { inProcess: always, load: () => import('./guardian-scrub/operation.js').then((m) => m.guardianScrub) },
  'guardian-check-buckets': { inProcess: always, load: () => import('./guardian-check-buckets/operation.js').then((m) => m.guardianCheckBuckets) },
} as const;

function always(): boolean {
  return true;
}

export type OpName = keyof typeof OPERATIONS;
export type OperationOf<N extends OpName> = Awaited<ReturnType<(typeof OPERATIONS)[N]['load']>>;

/**
 * Where jobs are worked: `daemon` (its continuous job work: every kind), `process` (`vss jobs run`
 * without a daemon: the generators and the operations' kinds that need no network), `operations`
 * (a call of an operation waiting for its job in a process without the daemon: those kinds only).
 */
export type Runner = 'daemon' | 'process' | 'operations';

/** The job kinds RUNNER works on HOST: the one list every runner of jobs is given. */
export async function jobKinds(host: OpHost, runner: Runner): Promise<JobKinds> {
  // The generators' kinds load the generators: not for a file operation waiting in the CLI's process.
  const kinds = runner === 'operations' ? new JobKinds() : (await import('../jobs/default-kinds.js')).defaultJobKinds();
  const lines = Object.values(OPERATIONS);
  const ops = await Promise.all(lines.map((line) => line.load()));
  for (const [i, op] of ops.entries()) {
    const only = runner === 'daemon' ? undefined : lines[i]!.inProcess;
    for (const kind of await op.kinds(host, only)) {
      if (!only || only(kind.name)) kinds.register(kind);
    }
  }
  return kinds;
}

/**
 * The job kind NAME on HOST, as a runner in the daemon has it (also where this process works no
 * queue: a cancel asks it what a job leaves); undefined: this vss knows no such kind. Loads only
 * the operation's way that has it, or the generators for theirs.
 */
export async function jobKindOf(host: OpHost, name: string): Promise<JobKind | undefined> {
  for (const line of Object.values(OPERATIONS)) {
    const found = (await (await line.load()).kinds(host, (k) => k === name)).find((k) => k.name === name);
    if (found) return found;
  }
  return (await import('../jobs/default-kinds.js')).defaultJobKinds().get(name);
}
