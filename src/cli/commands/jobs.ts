import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { JobStore } from '../../jobs/store.js';
import { cancelJob } from '../../jobs/job-actions.js';
import type { Library } from '../../library/library.js';
import { runJobs } from '../../jobs/run-jobs.js';
import { JOB_STATUSES, isJobStatus, type JobRow } from '../../jobs/states.js';
import { attachJobsReporter } from '../jobs-progress.js';
import { onStopSignal } from '../signals.js';
import { globals, vssFor, withLibrary } from '../context.js';
import { parseId } from '../parse.js';
import { formatDuration, printJson, printLine, warn } from '../output.js';

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  return n;
}

function jobLine(j: JobRow): string {
  const what = j.content_uuid ? `${j.kind} ${j.content_uuid}` : j.kind;
  const why = j.error ?? j.note;
  return `${String(j.id).padStart(6)}  ${j.status.padEnd(9)}  ${what}  (attempt ${j.attempts}/${j.max_attempts})${why ? `  ${why}` : ''}`;
}

export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('the queue of work that makes sidecars');

  jobs
    .command('run')
    .description('work the queue in the foreground (Ctrl-C stops; unfinished jobs resume next time)')
    .option('--until-idle', 'stop when nothing is queued or running')
    .option('--concurrency <n>', 'most jobs at once (default: the number of cores)', parsePositive)
    .action(async function (this: Command, opts: { untilIdle?: boolean; concurrency?: number }) {
      const vss = vssFor(this);
      await withLibrary(this, async (lib) => {
        const stop = new AbortController();
        const undoSignal = onStopSignal(() => stop.abort());
        const detach = attachJobsReporter(lib.events);
        try {
          const summary = await runJobs(lib, {
            dataDir: vss.dataDir, untilIdle: opts.untilIdle ?? false, signal: stop.signal,
            ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
          });
          detach();
          if (stop.signal.aborted) process.exitCode = 130;
          if (globals(this).json) return printJson(summary);
          for (const [note, n] of Object.entries(summary.notes)) printLine(`note: ${n} job${n === 1 ? '' : 's'}: ${note}`);
          for (const e of summary.errors.slice(0, 20)) warn(`job ${e.id} (${e.kind} ${e.contentUuid ?? ''}) failed: ${e.error}`);
          if (summary.errors.length > 20) warn(`${summary.errors.length - 20} more failed jobs: vss jobs list --status failed`);
          if (stop.signal.aborted) printLine('Stopped: unfinished jobs resume on the next `vss jobs run`.');
          printLine(`Jobs: ${summary.completed} completed, ${summary.failed} failed, ${summary.cancelled} cancelled${summary.resumed ? `, ${summary.resumed} resumed from an interrupted run` : ''} in ${formatDuration(summary.durationMs)}.`);
        } finally {
          detach();
          undoSignal();
        }
      });
    });

  jobs
    .command('list')
    .description('jobs, oldest first')
    .option('--status <status>', `only this status (${JOB_STATUSES.join(', ')})`, (v: string) => {
      if (!isJobStatus(v)) throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}`);
      return v;
    })
    .option('--kind <kind>', 'only this kind')
    .action(async function (this: Command, opts: { status?: string; kind?: string }) {
      await withLibrary(this, (lib) => {
        const rows = new JobStore(lib.db).list({ ...(opts.status ? { status: opts.status } : {}), ...(opts.kind ? { kind: opts.kind } : {}) });
        if (globals(this).json) return printJson(rows);
        if (rows.length === 0) return printLine('No jobs.');
        for (const j of rows) printLine(jobLine(j));
      }, { shared: true });
    });

  for (const [name, description, act] of [
    ['retry', 'queue a failed or cancelled job again', (s: JobStore, id: number, _lib: Library) => s.retry(id)],
    ['cancel', 'cancel a queued, paused or running job (a running one is stopped, its tools killed)', (_s: JobStore, id: number, lib: Library) => cancelJob(lib, id)],
    ['pause', 'hold a queued job', (s: JobStore, id: number, _lib: Library) => s.pause(id)],
    ['resume', 'queue a paused job again', (s: JobStore, id: number, _lib: Library) => s.resume(id)],
  ] as const) {
    jobs
      .command(`${name} <id>`)
      .description(description)
      .action(async function (this: Command, id: string) {
        await withLibrary(this, (lib) => {
          const store = new JobStore(lib.db);
          const job = act(store, parseId(id, 'job ID'), lib);
          if (globals(this).json) return printJson(job);
          printLine(jobLine(job));
        }, { shared: true });
      });
  }
}
