import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { JobRow, LibraryClient, NamedJobRow } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { JOB_STATUSES, isJobStatus } from '../../api/words.js';
import { attachJobsReporter } from '../jobs-progress.js';
import { registerJobsMonitor } from './jobs-monitor.js';
import { onStopSignal } from '../signals.js';
import { globals, withLibrary } from '../context.js';
import { parseId } from '../parse.js';
import { displayPath, formatBytes, formatDuration, printJson, printJsonArray, printLine, printLines, warn } from '../output.js';

/** `jobs run --until-idle` stopped because a disk is full: work is left (DESIGN §11: 1 = failure). */
const EXIT_DISK_FULL = 1;

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  return n;
}

/** A job on a line; a listed one (NAME known) shows its content's file name before the uuid (quoted when it could fake a line). */
function jobLine(j: JobRow & { name?: string | null }): string {
  const what = j.content_uuid ? `${j.kind}${j.name ? ` · ${displayPath(j.name)}` : ''} ${shortId(j.content_uuid)}` : j.kind;
  const why = j.error ?? j.note;
  return `${String(j.id).padStart(6)}  ${j.status.padEnd(9)}  ${what}  (attempt ${j.attempts}/${j.max_attempts})${why ? `  ${why}` : ''}`;
}

/** A moment of a job's life, or a dash when it has not come. */
const when = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

/** A job as `jobs info` shows it: one fact a line. */
function jobInfo(j: NamedJobRow): string[] {
  const lines = [
    `job       ${j.id}`,
    `kind      ${j.kind}`,
    `content   ${j.content_uuid ? `${j.name ? `${displayPath(j.name)}  ` : ''}${j.content_uuid}` : '-'}`,
    `status    ${j.status}`,
    `attempts  ${j.attempts} of ${j.max_attempts}`,
  ];
  if (j.error) lines.push(`error     ${j.error}`);
  if (j.note) lines.push(`note      ${j.note}`);
  lines.push(
    `priority  ${j.priority}`,
    `bytes     ${formatBytes(j.bytes)} (${j.bytes} bytes)`,
    `created   ${when(j.created_at)}`,
    `started   ${when(j.started_at)}`,
    `finished  ${when(j.finished_at)}`,
    `updated   ${when(j.updated_at)}`,
  );
  if (j.status === 'queued' && j.run_after > Date.now()) lines.push(`waits     until ${when(j.run_after)}`);
  return lines;
}

export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('the queue of work that makes sidecars');

  jobs
    .command('run')
    .description('work the queue in the foreground (Ctrl-C stops; unfinished jobs resume next time)')
    .option('--until-idle', 'stop when nothing is queued or running (or the disk is full: exit 1, nothing spent)')
    .option('--concurrency <n>', 'most jobs at once (default: the number of cores)', parsePositive)
    .action(async function (this: Command, opts: { untilIdle?: boolean; concurrency?: number }) {
      await withLibrary(this, async (lib) => {
        const stop = new AbortController();
        const undoSignal = onStopSignal(() => stop.abort());
        const detach = attachJobsReporter(lib.events);
        const untilIdle = opts.untilIdle ?? false;
        // One message when a full disk pauses generation, said as it happens.
        const offPaused = lib.events.on('jobs:paused', (p) => {
          warn(`generation paused: ${p.message}. ${untilIdle
            ? 'The jobs wait in the queue without spending an attempt: free some space, then run `vss jobs run` again.'
            : 'The jobs wait in the queue without spending an attempt; generation goes on once space is freed.'}`);
        });
        const offResumed = lib.events.on('jobs:resumed', () => warn('disk space is back: generation goes on'));
        try {
          const summary = await lib.jobs.run({
            untilIdle, signal: stop.signal,
            ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
          });
          detach();
          if (stop.signal.aborted) process.exitCode = 130;
          else if (summary.paused) process.exitCode = EXIT_DISK_FULL;
          if (globals(this).json) return printJson(summary);
          for (const [note, n] of Object.entries(summary.notes)) printLine(`note: ${n} job${n === 1 ? '' : 's'}: ${note}`);
          for (const e of summary.errors.slice(0, 20)) warn(`job ${e.id} (${e.kind} ${e.contentUuid ?? ''}) failed: ${e.error}`);
          if (summary.errors.length > 20) warn(`${summary.errors.length - 20} more failed jobs: vss jobs list --status failed`);
          if (stop.signal.aborted) printLine('Stopped: unfinished jobs resume on the next `vss jobs run`.');
          else if (summary.paused) printLine('Paused: the disk is full; unfinished jobs resume on the next `vss jobs run`.');
          printLine(`Jobs: ${summary.completed} completed, ${summary.failed} failed, ${summary.cancelled} cancelled${summary.resumed ? `, ${summary.resumed} resumed from an interrupted run` : ''} in ${formatDuration(summary.durationMs)}.`);
        } finally {
          detach();
          offPaused();
          offResumed();
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
      await withLibrary(this, async (lib) => {
        const rows = lib.jobs.iterate({ ...(opts.status ? { status: opts.status } : {}), ...(opts.kind ? { kind: opts.kind } : {}) });
        if (globals(this).json) return printJsonArray(rows);
        await printLines(rows, jobLine, 'No jobs.');
      }, 'read');
    });

  jobs
    .command('info <id>')
    .description('one job: its kind, content, status, attempts, error or note, times and bytes')
    .action(async function (this: Command, id: string) {
      await withLibrary(this, async (lib) => {
        const job = await lib.jobs.get(parseId(id, 'job ID'));
        if (globals(this).json) return printJson(job);
        for (const line of jobInfo(job)) printLine(line);
      }, 'read');
    });

  registerJobsMonitor(jobs);

  for (const [name, description, act] of [
    ['retry', 'queue a failed or cancelled job again', (lib: LibraryClient, id: number) => lib.jobs.retry(id)],
    ['cancel', 'cancel a queued, paused or running job (a running one is stopped, its tools killed)', (lib: LibraryClient, id: number) => lib.jobs.cancel(id)],
    ['pause', 'hold a queued job, or stop a running one (its tools killed, no attempt spent) until it is resumed', (lib: LibraryClient, id: number) => lib.jobs.pause(id)],
    ['resume', 'queue a paused job again (a job paused while it ran starts from the beginning)', (lib: LibraryClient, id: number) => lib.jobs.resume(id)],
  ] as const) {
    jobs
      .command(`${name} <id>`)
      .description(description)
      .action(async function (this: Command, id: string) {
        await withLibrary(this, async (lib) => {
          const job = await act(lib, parseId(id, 'job ID'));
          if (globals(this).json) return printJson(job);
          printLine(jobLine(job));
        }, 'read');
      });
  }
}
