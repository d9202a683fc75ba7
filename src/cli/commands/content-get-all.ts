import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine, warn } from '../output.js';

/** Failures printed by name (the rest counted): the job's result holds the first 50. */
const SHOWN_FAILURES = 20;

/**
 * `vss content get --all --to DIR [--from VOLUME]`: parse, call the core (`lib.sync.getAll`), and
 * say where things went and what to do next. A failed content makes the exit code 1.
 */
export async function getAll(cmd: Command, dir: string, opts: { from?: string; detach?: boolean; dryRun?: boolean }): Promise<void> {
  const from = opts.from !== undefined ? { from: opts.from } : {};
  await withLibrary(cmd, async (lib) => {
    const json = globals(cmd).json;
    if (opts.dryRun) {
      const p = await lib.sync.previewGetAll(dir, from);
      if (json) return printJson(p);
      printLine(`would copy ${p.files} file${p.files === 1 ? '' : 's'} (${formatBytes(p.bytes)})${p.from !== null ? ` from ${p.from}` : ''} into ${displayPath(p.dir)}; ${formatBytes(p.free_bytes)} free there`);
      if (p.bytes > p.free_bytes) warn(`not enough room: ${formatBytes(p.bytes - p.free_bytes)} more is needed`);
      unreachable(p.unreachable);
      return;
    }
    if (opts.detach) {
      const job = await lib.sync.queueGetAll(dir, from);
      if (json) return printJson({ job_id: job.id, files: null, bytes: job.bytes, skipped: null, failed: null });
      return printLine(`queued as job ${job.id}: ${formatBytes(job.bytes)} into ${displayPath(dir)} (vss jobs info ${job.id})`);
    }
    const { waitForJob } = await import('../wait-for-job.js');
    const got = await waitForJob(lib.events, 'Getting', (call) => lib.sync.getAll(dir, { ...from, ...call }),
      (id) => `the get goes on as job ${id} (run the same command again to resume it; vss jobs cancel ${id} stops it)`);
    if (got === undefined) return;
    if (got.failed > 0) process.exitCode = 1;
    if (json) return printJson({ files: got.files, bytes: got.bytes, skipped: got.skipped, failed: got.failed, failures: got.failures, unreachable: got.unreachable, dir: got.dir, job_id: got.job_id });
    const kept = got.skipped > 0 ? `; ${got.skipped} there already (the same bytes, kept)` : '';
    printLine(`${got.files} file${got.files === 1 ? '' : 's'} (${formatBytes(got.bytes)}) copied into ${displayPath(got.dir)}, each verified, under LOCATION/its/path as the library recorded it${kept}`);
    for (const f of got.failures.slice(0, SHOWN_FAILURES)) warn(`failed: ${f.content_uuid}: ${f.reason}`);
    if (got.failed > SHOWN_FAILURES) warn(`… and ${got.failed - SHOWN_FAILURES} more failed (vss jobs info ${got.job_id ?? ''})`.trim());
    if (got.failed > 0) warn(`${got.failed} content${got.failed === 1 ? '' : 's'} could not be copied: run the same command again to try them (what is there is kept)`);
    unreachable(got.unreachable);
    if (got.files + got.skipped > 0) printLine(`next: index them as a location of this device (vss location add ${displayPath(got.dir)}); until then they are files outside the library`);
  });
}

/** What no copy this device can reach holds, said plainly: after a recovery, what was only on the lost computer. */
function unreachable(u: { files: number; bytes: number } | undefined): void {
  if (!u || u.files === 0) return;
  warn(`${u.files} content${u.files === 1 ? '' : 's'} (${formatBytes(u.bytes)}) ${u.files === 1 ? 'has' : 'have'} no copy this device can reach: only on another device's own disks as the library last heard (a lost computer's are gone with it), or nowhere; vss guardian status counts them`);
}
