import type { KindSchedule } from '../sidecars/kind-spec.js';
import { SIDECAR_KIND_NAMES, SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';

/** Attempts a generation job gets before it fails for good (DESIGN §7: retries with backoff). */
export const MAX_ATTEMPTS = 3;

/**
 * The priority of work a user waits for (`sidecars path` on a missing sidecar): ahead of every
 * kind's background priority, and the only work the runner's foreground slot takes.
 */
export const FOREGROUND_PRIORITY = 0;

export type { KindSchedule } from '../sidecars/kind-spec.js';

/**
 * When each made kind's jobs run and how long one may take, from the kinds' specs
 * (`sidecars/kinds/`): DESIGN §7's thumbnails before OCR before transcripts before embeddings
 * before proxies.
 */
export const GENERATION_SCHEDULE: Readonly<Partial<Record<SidecarKind, KindSchedule>>> = Object.fromEntries(
  SIDECAR_KIND_NAMES.flatMap((k) => {
    const schedule: KindSchedule | null = SIDECAR_KINDS[k].schedule;
    return schedule ? [[k, schedule]] : [];
  }),
);

export function timeoutFor(s: KindSchedule, bytes: number): number {
  const override = Number(process.env.VSS_JOB_TIMEOUT_MS);
  // setTimeout fires at once beyond 2^31 ms: clamp what a user may set.
  if (Number.isFinite(override) && override > 0) return Math.min(override, 2 ** 31 - 1);
  return Math.min(s.timeout.maxMs, s.timeout.baseMs + (bytes / (1024 * 1024)) * s.timeout.perMiBMs);
}
