import type { SingleBar } from 'cli-progress';
import { cliProgress } from './progress-bars.js';
import type { IndexProgress, JobProgress, LibraryEvents, SidecarsProgress } from '../api/index.js';
import { displayPath, formatBytes, formatDuration, warn } from './output.js';

const MAX_SKIP_LINES = 100;

/**
 * Shows indexing progress on a terminal (files/s and, once the total is known, ETA) and one
 * warning line per skipped file. On a pipe it draws nothing; warnings still go to stderr.
 */
export function attachIndexReporter(events: LibraryEvents): () => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  let bar: SingleBar | null = null;
  let phase = '';
  let startedAt = Date.now();
  let skips = 0;

  const stopBar = () => {
    bar?.stop();
    bar = null;
  };

  const offProgress = events.on('index:progress', (p: IndexProgress) => {
    if (!tty) return;
    if (p.phase !== phase) {
      stopBar();
      phase = p.phase;
      startedAt = Date.now();
      const format = p.phase === 'content'
        ? 'Identifying [{bar}] {percentage}% | {value}/{total} files | {bytes} | {rate} files/s | ETA {eta_formatted}'
        : p.phase === 'media'
          ? 'Reading media metadata [{bar}] {percentage}% | {value}/{total} files | {rate} files/s | ETA {eta_formatted}'
          : 'Scanning {files} files, {dirs} folders | {rate} files/s';
      bar = new (cliProgress().SingleBar)({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 }, cliProgress().Presets.shades_classic);
      bar.start(p.total ?? 0, 0, { files: 0, dirs: 0, rate: 0, bytes: '' });
    }
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    if (p.phase === 'media') {
      bar?.setTotal(p.total ?? 0);
      bar?.update(p.done ?? 0, { rate: Math.round((p.done ?? 0) / seconds) });
    } else if (p.phase === 'content') {
      bar?.setTotal(p.total ?? 0);
      bar?.update(p.done ?? 0, { rate: Math.round((p.done ?? 0) / seconds), bytes: `${formatBytes(p.doneBytes ?? 0)} / ${formatBytes(p.totalBytes ?? 0)}` });
    } else {
      bar?.update(0, { files: p.files, dirs: p.dirs, rate: Math.round(p.files / seconds) });
    }
  });

  const offSkip = events.on('index:skipped', (s) => {
    skips++;
    if (skips <= MAX_SKIP_LINES) {
      // Drawn bars and warning lines share stderr: clear the bar line first.
      if (bar) process.stderr.write('\r\x1b[K');
      warn(`skipped ${displayPath(s.path)}: ${s.reason}`);
    }
  });

  return () => {
    stopBar();
    offProgress();
    offSkip();
    if (skips > MAX_SKIP_LINES) warn(`${skips - MAX_SKIP_LINES} more files skipped (the --json result lists them)`);
  };
}

/**
 * Shows `reconcile --verify` and `convert-references` progress on a terminal (files, bytes,
 * rate, ETA); on a pipe it draws nothing.
 */
export function attachSidecarsReporter(events: LibraryEvents): () => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  let bar: SingleBar | null = null;
  let startedAt = Date.now();
  const off = events.on('sidecars:progress', (p: SidecarsProgress) => {
    if (!tty) return;
    if (!bar) {
      startedAt = Date.now();
      const what = p.task === 'verify' ? 'Verifying' : 'Converting';
      bar = new (cliProgress().SingleBar)({
        format: `${what} [{bar}] {percentage}% | {value}/{total} files | {bytes} | {speed}/s | ETA {eta_formatted}`,
        stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
      }, cliProgress().Presets.shades_classic);
      bar.start(p.total, 0, { bytes: '', speed: '0 B' });
    }
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    bar.setTotal(p.total);
    bar.update(p.done, { bytes: `${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}`, speed: formatBytes(Math.round(p.doneBytes / seconds)) });
  });
  return () => {
    bar?.stop();
    off();
  };
}

/**
 * Shows one job's transfer on a terminal (`content get`): bytes so far of the whole, the rate and
 * the ETA the job reports (`job:progress`); JOBID says which job is ours once it is known. On a
 * pipe it draws nothing.
 */
export function attachTransferReporter(events: LibraryEvents, title: string, jobId: () => number | undefined): () => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  let bar: SingleBar | null = null;
  const off = events.on('job:progress', (p: JobProgress) => {
    if (!tty || p.id !== jobId()) return;
    if (!bar) {
      bar = new (cliProgress().SingleBar)({
        format: `${title} (job {job}) [{bar}] {percentage}% | {bytes} | {speed}/s | ETA {eta}`,
        stream: process.stderr, hideCursor: true, clearOnComplete: true,
      }, cliProgress().Presets.shades_classic);
      bar.start(p.totalBytes, 0, { job: p.id, bytes: '', speed: '0 B', eta: '…' });
    }
    bar.setTotal(p.totalBytes);
    bar.update(p.doneBytes, {
      bytes: `${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}`, speed: formatBytes(p.rate),
      eta: p.etaMs === null ? '…' : formatDuration(p.etaMs),
    });
  });
  return () => {
    bar?.stop();
    off();
  };
}
