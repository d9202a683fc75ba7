/**
 * sharp's process-wide settings for thumbnail work, applied once before the first job.
 *
 * - No operation cache: every source is decoded once and never again, so libvips' cache (by
 *   default up to 50 MiB, 20 open files, 100 operations) only holds memory and file handles.
 * - libvips threads per image: at most 2. A thumbnail job is mostly JPEG decoding and WebP
 *   encoding, which libjpeg and libwebp do on one thread; a second thread only speeds up the
 *   resize (bench/thumbs-bench.ts --sharp-threads, 2-core machine: 155 → 141 ms per 24 MP
 *   image). Parallelism comes from the job runner running several jobs at once, which keeps
 *   every core busy on a batch while no single job takes the whole machine. sharp's default
 *   is one thread on glibc Linux without jemalloc (to limit memory fragmentation) and one per
 *   core elsewhere; this keeps that, capped at 2 and at the CPU budget's threads per tool.
 */
import sharp from 'sharp';

export const SHARP_MAX_THREADS = 2;

/** sharp's own default, read before the first change. */
let sharpDefault: number | undefined;

/** Apply the settings; THREADS is the CPU budget's threads per tool (the daemon's budget may be 1). */
export function configureSharp(threads: number = SHARP_MAX_THREADS): void {
  if (sharpDefault === undefined) {
    sharpDefault = sharp.concurrency();
    sharp.cache(false);
  }
  const want = Math.max(1, Math.min(sharpDefault, SHARP_MAX_THREADS, Math.floor(threads)));
  if (sharp.concurrency() !== want) sharp.concurrency(want);
}
