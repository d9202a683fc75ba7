import { JobKinds } from '../jobs/job-kind.js';
import type { OpHost } from './op.js';

/**
 * Every durable user operation, one line each: its job kind's name, whether its jobs can be
 * worked in a process without the daemon (they need no network), and its folder, loaded when
 * first used (a send's module brings the P2P code). A new durable operation is its folder under
 * src/ops/ and one line here (a way verified bytes travel, copy,
 * move, get, send, protect or repair: a row of transfer/strategies.ts and its module in transfer/); this and the generators' kinds (jobs/default-kinds.ts) are the only
 * places job kinds are assembled (test/architecture/job-kinds.test.ts).
 */
export const OPERATIONS = {
  'content-get': { inProcess: false, load: () => import('./transfer/get.js').then((m) => m.contentGet) },
  'files-copy': { inProcess: true, load: () => import('./transfer/here.js').then((m) => m.filesCopy) },
  'files-move': { inProcess: true, load: () => import('./transfer/here.js').then((m) => m.filesMove) },
  'files-delete': { inProcess: true, load: () => import('./files-delete/operation.js').then((m) => m.filesDelete) },
  'files-send': { inProcess: false, load: () => import('./transfer/send.js').then((m) => m.filesSend) },
  'guardian-scrub': { inProcess: true, load: () => import('./guardian-scrub/operation.js').then((m) => m.guardianScrub) },
  'guardian-repair': { inProcess: true, load: () => import('./transfer/repair.js').then((m) => m.guardianRepair) },
  'guardian-check-buckets': { inProcess: true, load: () => import('./guardian-check-buckets/operation.js').then((m) => m.guardianCheckBuckets) },
  'guardian-protect': { inProcess: true, load: () => import('./transfer/protect.js').then((m) => m.guardianProtect) },
  'files-copy-to-device': { inProcess: false, load: () => import('./transfer/to-device.js').then((m) => m.filesCopyToDevice) },
  'files-move-to-device': { inProcess: false, load: () => import('./transfer/to-device.js').then((m) => m.filesMoveToDevice) },
  'files-copy-to-bucket': { inProcess: true, load: () => import('./transfer/to-bucket.js').then((m) => m.filesCopyToBucket) },
} as const;

export type OpName = keyof typeof OPERATIONS;
export type OperationOf<N extends OpName> = Awaited<ReturnType<(typeof OPERATIONS)[N]['load']>>;

/**
 * Where jobs are worked: `daemon` (its continuous job work: every kind), `process` (`vss jobs run`
 * without a daemon: the generators and the operations that need no network), `operations` (a call
 * of an operation waiting for its job in a process without the daemon: those operations only).
 */
export type Runner = 'daemon' | 'process' | 'operations';

/** The job kinds RUNNER works on HOST: the one list every runner of jobs is given. */
export async function jobKinds(host: OpHost, runner: Runner): Promise<JobKinds> {
  // The generators' kinds load the generators: not for a file operation waiting in the CLI's process.
  const kinds = runner === 'operations' ? new JobKinds() : (await import('../jobs/default-kinds.js')).defaultJobKinds();
  const lines = Object.values(OPERATIONS).filter((line) => runner === 'daemon' || line.inProcess);
  for (const op of await Promise.all(lines.map((line) => line.load()))) {
    kinds.register(op.kind(host));
  }
  return kinds;
}
