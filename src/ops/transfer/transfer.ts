import { UsageError } from '../../core/errors.js';
import type { JobRow } from '../../jobs/states.js';
import { destinationOf } from '../../core/address.js';
import { checkDestination } from '../../files/destination.js';
import { PathRefusedError } from '../../library/confine.js';
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
  action: (ask) => (ask.asked === 'get-all' ? 'get' : ask.asked),
  asked: (ask) => {
    switch (ask.asked) {
      case 'copy':
      case 'move':
        // A folder to copy into is named as the user wrote it: with its trailing '/'.
        return { sources: ask.srcs, target: ask.into === true && !ask.to.endsWith('/') ? `${ask.to}/` : ask.to };
      case 'get':
        return { sources: [ask.ref], target: ask.dir };
      case 'get-all':
        return { sources: ask.from !== undefined ? [ask.from] : [], target: ask.dir };
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
    admitDestination(host, ask);
    const { way, input } = await wayFor(ask);
    return way.plan(host, input, call);
  },
  async preview(host, ask) {
    admitDestination(host, ask);
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

/**
 * Where ASK would write, checked once for every way (DESIGN §22, issue 57 item 3): a browser or a
 * peer writes only into a location (of this device, or a paired device's folder), never into a
 * folder outside them or a bucket; no one writes into a location of this device that is offline
 * (its drive away: never under the mount point it left). Checked again where the bytes land.
 */
function admitDestination(host: OpHost, ask: TransferAsk): void {
  if (ask.asked === 'get' || ask.asked === 'get-all') return checkDestination(host.lib, ask.dir, 'local');
  if (ask.asked !== 'copy' && ask.asked !== 'move') return;
  const party = ask.party ?? 'local';
  const dst = destinationOf(ask.to);
  if (dst.kind === 'here') return checkDestination(host.lib, dst.path, party);
  if (dst.kind === 'bucket' && party !== 'local') throw new PathRefusedError(ask.to, 'is a bucket: a browser or a paired device writes only into the library\'s locations');
}

/** The way ASK takes (loaded), and its input. */
async function wayFor(ask: TransferAsk): Promise<{ way: Way<unknown, TransferResults[keyof TransferResults], unknown>; input: unknown }> {
  const routed = routeTransfer(ask);
  const way = (await loadWay(routed.kind)!) as Way<unknown, TransferResults[keyof TransferResults], unknown>;
  return { way, input: routed.input };
}
