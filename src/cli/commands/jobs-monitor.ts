import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { IndexProgress, JobChange, JobProgress, JobsProgress, LibraryClient, StreamedEvent } from '../../api/index.js';
import { clientFor, withLibrary } from '../context.js';
import { formatBytes, note, printLine } from '../output.js';
import { untilFollowEnds } from '../follow.js';

/**
 * `vss jobs monitor`: what the daemon is doing, live. On a terminal, one bar per location being
 * indexed and one for the generation queue, with finished and failed jobs logged above them; on a
 * pipe, one line per change. `--until-idle` ends once the queue is empty and nothing is indexing.
 * It follows the selected library (`--library`, else the current one).
 */
export function registerJobsMonitor(jobs: Command): void {
  jobs
    .command('monitor')
    .description("live progress of the daemon's work (indexing, generation); Ctrl-C exits")
    .option('--until-idle', 'exit when nothing is queued, running or indexing')
    .action(async function (this: Command, opts: { untilIdle?: boolean }) {
      const vss = await clientFor(this);
      if (!vss.viaDaemon) vss.followEvents({}, () => undefined); // says that no daemon runs
      // The selected library's work, as every other command (a daemon may hold several).
      await withLibrary(this, async (lib) => {
        const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
        const view = tty ? new BarsView() : new LinesView();
        const indexing = new Set<string>();
        const follow = vss.followEvents({ follow: true, recent: false, library: lib.id }, (e) => {
          view.show(e);
          if (e.type === 'index:phase') indexing.add(`${e.library_id}/${(e.payload as IndexProgress).locationId}`);
          if (e.type === 'index:done') indexing.delete(`${e.library_id}/${(e.payload as IndexProgress).locationId}`);
          if (e.type === 'jobs:progress') {
            const p = e.payload as JobsProgress;
            if (opts.untilIdle && p.queued + p.running === 0 && indexing.size === 0) void follow.stop();
          }
        });
        // Already idle: nothing will say so. Looked at once the stream is connected, so an end of
        // the work between the look and the connection cannot be missed.
        await follow.connected;
        if (opts.untilIdle && await queueIsEmpty(lib)) await follow.stop();
        // On a pipe nothing shows until something changes: said once following, so a reader (a
        // script, a test) knows from when on a change is shown.
        else if (!tty && !opts.untilIdle) note('following the daemon\'s work (Ctrl-C ends)');
        try {
          await untilFollowEnds(follow);
        } finally {
          view.end();
        }
      }, 'read');
    });
}

interface View {
  show(e: StreamedEvent): void;
  end(): void;
}

class LinesView implements View {
  show(e: StreamedEvent): void {
    if (e.type === 'jobs:job') {
      const j = e.payload as JobChange;
      if (j.status === 'running') return;
      printLine(`job ${j.id}  ${j.kind}${j.contentUuid ? ` ${j.contentUuid}` : ''}  ${j.status}${j.error ? `: ${j.error}` : j.note ? `  (${j.note})` : ''}`);
    } else if (e.type === 'index:done') {
      printLine(`location ${(e.payload as { locationId: number }).locationId} indexed`);
    } else if (e.type === 'jobs:paused' || e.type === 'jobs:resumed') {
      printLine(e.type === 'jobs:paused' ? `generation paused: ${(e.payload as { message: string }).message}` : 'generation resumed');
    }
  }

  end(): void {}
}

class BarsView implements View {
  private readonly bars = new cliProgress.MultiBar({
    format: '{title} [{bar}] {percentage}% | {value}/{total} | {status}',
    stream: process.stderr, hideCursor: true, clearOnComplete: false, barsize: 24,
  }, cliProgress.Presets.shades_classic);
  private readonly indexBars = new Map<string, cliProgress.SingleBar>();
  private queueBar: cliProgress.SingleBar | undefined;
  /** Jobs that move bytes (a copy from another device), one bar each while they run. */
  private readonly transferBars = new Map<number, cliProgress.SingleBar>();

  show(e: StreamedEvent): void {
    if (e.type === 'index:progress') {
      const p = e.payload as IndexProgress;
      const key = `${e.library_id}/${p.locationId}`;
      let bar = this.indexBars.get(key);
      if (!bar) this.indexBars.set(key, (bar = this.bars.create(p.total ?? 0, 0, { title: `Indexing location ${p.locationId}`, status: p.phase })));
      bar.setTotal(p.total ?? Math.max(p.files, 1));
      bar.update(p.done ?? p.files, { status: `${p.phase}, ${p.files} files` });
    } else if (e.type === 'index:done') {
      const key = `${e.library_id}/${(e.payload as { locationId: number }).locationId}`;
      const bar = this.indexBars.get(key);
      if (bar) this.bars.remove(bar);
      this.indexBars.delete(key);
      this.bars.log(`location ${(e.payload as { locationId: number }).locationId} indexed\n`);
    } else if (e.type === 'jobs:progress') {
      const p = e.payload as JobsProgress;
      const done = p.completed + p.failed + p.cancelled;
      this.queueBar ??= this.bars.create(done + p.queued + p.running, done, { title: 'Generating', status: '' });
      this.queueBar.setTotal(done + p.queued + p.running);
      this.queueBar.update(done, { status: `${p.running} running, ${p.failed} failed, ${p.rate.toFixed(1)}/s${p.etaMs !== null ? `, ETA ${Math.ceil(p.etaMs / 1000)} s` : ''}` });
    } else if (e.type === 'job:progress') {
      const p = e.payload as JobProgress;
      let bar = this.transferBars.get(p.id);
      if (!bar) this.transferBars.set(p.id, (bar = this.bars.create(p.totalBytes, 0, { title: `Job ${p.id} ${p.kind}`, status: '' })));
      bar.setTotal(p.totalBytes);
      bar.update(p.doneBytes, { status: `${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}, ${formatBytes(p.rate)}/s${p.etaMs !== null ? `, ETA ${Math.ceil(p.etaMs / 1000)} s` : ''}` });
    } else if (e.type === 'jobs:job') {
      const j = e.payload as JobChange;
      const transfer = this.transferBars.get(j.id);
      if (transfer && j.status !== 'running') {
        this.bars.remove(transfer);
        this.transferBars.delete(j.id);
      }
      if (j.status === 'failed') this.bars.log(`job ${j.id} ${j.kind} failed: ${j.error ?? ''}\n`);
    } else if (e.type === 'jobs:paused') {
      this.bars.log(`generation paused: ${(e.payload as { message: string }).message}\n`);
    }
  }

  end(): void {
    this.bars.stop();
  }
}

async function queueIsEmpty(lib: LibraryClient): Promise<boolean> {
  for (const status of ['queued', 'running']) {
    for await (const job of lib.jobs.iterate({ status })) return job === undefined;
  }
  return true;
}
