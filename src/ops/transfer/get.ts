import { basename, join } from 'node:path';
import { originalFile } from '../../content/original-file.js';
import { diskSpace } from '../../core/disk-space.js';
import { VssError } from '../../core/errors.js';
import { factsAt } from '../../storage/local-tree.js';
import { addingPreview } from '../file-op-preview.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import { networkTimeoutMs } from './to-device-run.js';
import { CONTENT_GET, discardContentGet, queueGet, runContentGet } from '../../sync/library/get-original-job.js';
import { copyOriginal, planGet, type GotOriginal } from '../../sync/library/get-original.js';
import type { Way } from '../op.js';

/** A content's original (a uuid or `DEVICE:/LOCATION/PATH`) to copy into DIR. */
export interface ContentGetInput {
  ref: string;
  dir: string;
}

/**
 * `vss content get` (DESIGN §15): a content's original copied into a folder, verified against its
 * content id, from this device or (through the daemon) from an online paired device that holds
 * it. Through the daemon it is a durable job (`content-get`), a second copy of the same content
 * into the same folder joining the first; in a process without the daemon no queue is worked and
 * only a copy on this device can be made: made at once, without a job.
 */
export const contentGet: Way<ContentGetInput, GotOriginal> = {
  name: CONTENT_GET,
  plan(host, { ref, dir }, { detach }) {
    const network = host.network();
    if (!network) {
      if (detach) throw new VssError('NO_DAEMON', 'a copy runs as a job of the daemon: start it (vss daemon start), or leave out --detach to copy at once');
      const plan = planGet(host.lib, ref, dir);
      return { size: { files: 1, bytes: plan.size }, now: (signal) => copyOriginal(host.lib, plan, undefined, signal ? { signal } : {}) };
    }
    const plan = planGet(host.lib, ref, dir, network);
    return { size: { files: 1, bytes: plan.size }, queue: () => queueGet(host.lib, plan) };
  },
  preview(host, { ref, dir }) {
    const plan = planGet(host.lib, ref, dir, host.network());
    // The name it lands under: its address's, else this device's copy's (a copy from elsewhere takes the sender's, not known yet).
    const here = originalFile(host.lib, plan.contentUuid);
    const name = plan.name ?? (here.state === 'ready' ? basename(here.path) : undefined);
    const taken = name !== undefined && factsAt(join(dir, name)) !== undefined;
    return addingPreview('get', {
      files: 1, bytes: plan.size, on_conflict: 'keep-both', conflicts: taken ? [{ source: ref, target: join(dir, name) }] : [], free_bytes: diskSpace(dir).freeBytes,
    });
  },
  kind: (host) => ({ name: CONTENT_GET, concurrency: 2, timeoutMs: networkTimeoutMs, run: (job, ctx) => runContentGet(host.lib, host.network(), job, ctx), discard: discardContentGet }),
  result: (job) => endedResult<GotOriginal>(job, 'the copy'),
};
