import { UsageError } from '../../core/errors.js';
import type { JobRow } from '../../jobs/states.js';
import type { DurableOp, OpHost, Way } from '../op.js';
import { loadWay, routeTransfer, WAY_KINDS, type TransferAsk, type TransferResults } from './strategies.js';

/**
 * The one transfer (issue 43): copy and move to any destination, get, send, protect, repair and
 * a library's snapshot to a paired device (issue 45) are what is asked of it, one durable
 * operation. It names what was asked for the action log (sources and destination as the user
 * gave them), picks the way from the table of ways
 * (strategies.ts: by what was asked and the destination's kind) and hands it its input; the way
 * plans, shows (`--dry-run`) and runs it as a job of its kind. A job answers by its kind's way,
 * so one queued by any way, or by an older vss, resumes and ends the same.
 */
export const transfer: DurableOp<TransferAsk, TransferResults[keyof TransferResults], unknown> = {
  name: 'transfer',
  action: (ask) => ask.asked,
  asked: (ask) => {
    switch (ask.asked) {
      case 'copy':
      case 'move':
        // A folder to copy into is named as the user wrote it: with its trailing '/'.
        return { sources: ask.srcs, target: ask.into === true && !ask.to.endsWith('/') ? `${ask.to}/` : ask.to };
      case 'get':
        return { sources: [ask.ref], target: ask.dir };
      case 'send':
        return { sources: ask.refs, target: ask.to };
      case 'protect':
        return { sources: [], target: ask.to ?? null };
      case 'repair':
        return { sources: ask.contents, target: null };
      case 'backup':
        return { sources: [], target: ask.to };
    }
  },
  async plan(host, ask, call) {
    const { way, input } = await wayFor(ask);
    return way.plan(host, input, call);
  },
  async preview(host, ask) {
    const { way, input } = await wayFor(ask);
    if (!way.preview) throw new UsageError(`a ${ask.asked} has no dry run`);
    return way.preview(host, input);
  },
  async kinds(host: OpHost, only?: (kind: string) => boolean) {
    const ways = await Promise.all(WAY_KINDS.filter((k) => !only || only(k)).map((k) => loadWay(k)!));
    return ways.map((way) => way.kind(host));
  },
  async result(job: JobRow) {
    const way = await loadWay(job.kind);
    if (!way) throw new Error(`job ${job.id} (${job.kind}) is not a transfer's`);
    return way.result(job) as TransferResults[keyof TransferResults];
  },
};

/** The way ASK takes (loaded), and its input. */
async function wayFor(ask: TransferAsk): Promise<{ way: Way<unknown, TransferResults[keyof TransferResults], unknown>; input: unknown }> {
  const routed = routeTransfer(ask);
  const way = (await loadWay(routed.kind)!) as Way<unknown, TransferResults[keyof TransferResults], unknown>;
  return { way, input: routed.input };
}
