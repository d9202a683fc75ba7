import type { SidecarKind } from '../sidecars/kinds.js';

/** Attempts a generation job gets before it fails for good (DESIGN §7: retries with backoff). */
export const MAX_ATTEMPTS = 3;

/**
 * The priority of work a user waits for (`sidecars path` on a missing sidecar): ahead of every
 * kind's background priority, and the only work the runner's foreground slot takes.
 */
export const FOREGROUND_PRIORITY = 0;

export interface KindSchedule {
  /** Lower runs first. */
  priority: number;
  /** Most jobs of the kind at once (the runner's global limit applies too). */
  concurrency: number;
  /** Time one job may take: a base plus a share per MiB of input, capped. */
  timeout: { baseMs: number; perMiBMs: number; maxMs: number };
}

/**
 * DESIGN §7: thumbnails before OCR before transcripts before embeddings before proxies. A video's
 * thumbstrip is its scrubber's thumbnails, so it comes right after them. Motion photo movies are a
 * byte copy, cheap and wanted with the thumbnail, so they go just after it.
 */
export const GENERATION_SCHEDULE: Readonly<Partial<Record<SidecarKind, KindSchedule>>> = {
  thumb: { priority: 10, concurrency: 2, timeout: { baseMs: 60_000, perMiBMs: 500, maxMs: 5 * 60_000 } },
  // One at a time: up to a minute of video is decoded whole, on all the cores ffmpeg is given.
  thumbstrip: { priority: 12, concurrency: 1, timeout: { baseMs: 2 * 60_000, perMiBMs: 200, maxMs: 15 * 60_000 } },
  live_photo_video: { priority: 15, concurrency: 2, timeout: { baseMs: 30_000, perMiBMs: 100, maxMs: 2 * 60_000 } },
  ocr: { priority: 20, concurrency: 1, timeout: { baseMs: 5 * 60_000, perMiBMs: 2_000, maxMs: 30 * 60_000 } },
  transcript: { priority: 30, concurrency: 1, timeout: { baseMs: 10 * 60_000, perMiBMs: 10_000, maxMs: 4 * 3600_000 } },
  embeddings: { priority: 40, concurrency: 1, timeout: { baseMs: 5 * 60_000, perMiBMs: 0, maxMs: 5 * 60_000 } },
  proxy: { priority: 50, concurrency: 1, timeout: { baseMs: 10 * 60_000, perMiBMs: 5_000, maxMs: 6 * 3600_000 } },
};

export function timeoutFor(s: KindSchedule, bytes: number): number {
  const override = Number(process.env.VSS_JOB_TIMEOUT_MS);
  // setTimeout fires at once beyond 2^31 ms: clamp what a user may set.
  if (Number.isFinite(override) && override > 0) return Math.min(override, 2 ** 31 - 1);
  return Math.min(s.timeout.maxMs, s.timeout.baseMs + (bytes / (1024 * 1024)) * s.timeout.perMiBMs);
}
