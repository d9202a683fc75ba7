import { operationUrl } from '../../src/api/remote/operations.js';
import type { GuardianBelowPolicy } from '../../src/wire/guardian.js';
import { streamed } from './api.js';
import type { JobProgress } from './types.js';

/** What a file operation answers once its job has ended (src/files/file-op.ts FileOpOutcome), as far as the views need. */
export interface FileOpOutcome {
  job: { id: number };
  result: {
    paths: string[];
    done: number;
    skipped: number;
    skipped_items?: Array<{ path: string; reason: string }>;
    outside_library: boolean;
    /** Asked to keep what the Guardian refuses: the contents left out, and why. */
    kept_below?: GuardianBelowPolicy[];
    /** What it left below its policy: forced, or a delete into the trash (`nowhere_else`: in the trash alone now). */
    below_policy?: GuardianBelowPolicy[];
  } | null;
}

export type FileOpName = 'filesCopy' | 'filesMove' | 'filesDelete';

/**
 * One file operation of the daemon (a durable job), followed to its end: ON_QUEUED hears its job's
 * id at once, ON_PROGRESS its bytes as they go. Errors (the Guardian's refusal: code POLICY) are thrown as ApiError.
 */
export async function fileOpCall(libId: string, op: FileOpName, body: unknown, on: { queued?: (job: number) => void; progress?: (done: number, total: number) => void } = {}): Promise<FileOpOutcome> {
  let id: number | undefined;
  return streamed<FileOpOutcome>(operationUrl(op, { lib: libId }), body, (name, payload) => {
    if (name === 'onQueued') {
      id = Array.isArray(payload) ? Number(payload[0]) : Number(payload);
      on.queued?.(id);
    }
    if (name !== 'job:progress') return;
    const p = payload as JobProgress;
    if (id !== undefined && p.id !== id) return;
    on.progress?.(p.doneBytes, p.totalBytes);
  });
}
