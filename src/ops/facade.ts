import { VssError } from '../core/errors.js';
import { jobWorkOf } from '../jobs/job-work.js';
import type { JobRow } from '../jobs/states.js';
import { jobEnded } from '../jobs/wait-for-job.js';
import { ActionLog } from './action-log.js';
import type { DurableOp, OpCall, OpHost, Performed, Plan } from './op.js';
import { jobKinds, OPERATIONS, type OperationOf, type OpName } from './registry.js';
import type { Asked, AskOf, TransferResults } from './transfer/strategies.js';

export type InputOf<N extends OpName> = OperationOf<N> extends DurableOp<infer I, infer _R, infer _P> ? I : never;
export type ResultOf<N extends OpName> = OperationOf<N> extends DurableOp<infer _I, infer R, infer _P> ? R : never;
export type PreviewOf<N extends OpName> = OperationOf<N> extends DurableOp<infer _I, infer _R, infer P> ? P : never;

/**
 * The one way the API performs a durable operation: NAME's plan refuses at once what cannot work
 * now; else its job is queued (ONQUEUED hears its id) and, unless DETACH, waited for until it
 * ends: where a daemon works the queue (or for an operation only a daemon runs), by the daemon;
 * else here, by a runner of the operations' kinds that stops with the call (SIGNAL stops waiting;
 * the job goes on, or here, stops to resume later). Each call is recorded in the action log,
 * refused or not (action-log.ts).
 */
export async function perform<N extends OpName>(host: OpHost, name: N, input: InputOf<N>, call: OpCall = {}): Promise<Performed<ResultOf<N>>> {
  // The registry's lines are a union TypeScript cannot narrow by N: the line of NAME is this one.
  const op = (await OPERATIONS[name].load()) as unknown as DurableOp<InputOf<N>, ResultOf<N>, unknown>;
  const actions = new ActionLog(host.lib, typeof op.action === 'function' ? op.action(input) : op.action, op.asked(input));
  let plan: Plan<ResultOf<N>>;
  try {
    plan = await op.plan(host, input, { detach: call.detach === true });
  } catch (err) {
    actions.refused(err);
    throw err;
  }
  if ('now' in plan) return { job: null, result: await actions.now(plan.size, call.signal, () => plan.now(call.signal)) };
  const job = actions.queued(plan.size, () => plan.queue());
  call.onQueued?.(job.id);
  if (call.detach) return { job, result: null };
  const ended = await endedJob(host, OPERATIONS[name].inProcess(job.kind), job.id, call.signal);
  return { job: ended, result: await op.result(ended) };
}

/**
 * The transfer ASK (transfer/transfer.ts) performed, its result typed by what was asked: copy and
 * move to any destination, get, send, protect, repair.
 */
export function performTransfer<A extends Asked>(host: OpHost, ask: AskOf<A>, call: OpCall = {}): Promise<Performed<TransferResults[A]>> {
  return perform(host, 'transfer', ask, call) as Promise<Performed<TransferResults[A]>>;
}

/** Job ID, once it has ended: where no daemon works the queue, its operation's jobs are run here meanwhile. */
async function endedJob(host: OpHost, inProcess: boolean, id: number, signal: AbortSignal | undefined): Promise<JobRow> {
  if (jobWorkOf(host.lib) || !inProcess) return jobEnded(host.lib, id, signal);
  const { runJobs } = await import('../jobs/run-jobs.js');
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const runner = runJobs(host.lib, { dataDir: host.dataDir, kinds: await jobKinds(host, 'operations'), signal: stop.signal, nice: false, pollMs: 500 });
  try {
    return await Promise.race([
      jobEnded(host.lib, id, stop.signal),
      // The runner ends only when stopped; ended early, it broke: say so rather than wait for ever.
      runner.then(() => { throw new VssError('IO', `the job runner stopped before job ${id} ended`); }),
    ]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!stop.signal.aborted) stop.abort(new Error('the file operation ended'));
    await runner.catch(() => undefined);
  }
}
