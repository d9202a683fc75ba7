import { DEFAULT_ON_CONFLICT, ON_CONFLICT, type FileOpOutcome, type FileOpResult, type OnConflict } from '../files/file-op.js';
import type { LastCopy } from '../files/plan.js';
import type { OpCall, OpHost, Performed } from '../ops/op.js';
import type { InputOf } from '../ops/facade.js';

export type { FileOpOutcome, FileOpResult, LastCopy, OnConflict };
export { ON_CONFLICT, DEFAULT_ON_CONFLICT };

type FileOpName = 'files-copy' | 'files-move' | 'files-delete';

export interface TransferOptions extends OpCall {
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: string;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
}

export interface DeleteOptions extends OpCall {
  /** Delete even a file that is the last copy of its content in the library. */
  force?: boolean;
}

/**
 * File operations (DESIGN §17): copy, move and delete files and folders of this device's
 * locations, each one durable job (`files-copy|move|delete`, src/ops/) that verifies every copy by
 * a full BLAKE3 before a move removes its source, resumes after a kill -9 or a restart, and
 * updates the index itself. Through a daemon its job work runs them; in this process (no daemon)
 * the call runs the job here, and a job left by a killed run is taken up by the next one.
 */
export class FilesApi {
  constructor(private readonly host: OpHost) {}

  /** Copy SRCS (absolute paths) to DST: into it when it is a folder, else as its new name. */
  copy(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, ...call } = opts;
    return this.perform('files-copy', { srcs, dst, ...(onConflict !== undefined ? { onConflict } : {}), ...(into !== undefined ? { into } : {}) }, call);
  }

  /** Move SRCS to DST: a rename within one filesystem, else copied, verified, flushed, then the source removed. */
  move(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, ...call } = opts;
    return this.perform('files-move', { srcs, dst, ...(onConflict !== undefined ? { onConflict } : {}), ...(into !== undefined ? { into } : {}) }, call);
  }

  /**
   * Copy SRCS (files of this device's locations) into TO, `DEVICE:/LOCATION[/PATH]`: a folder of
   * a paired device's location (made there when missing), each file verified and flushed there;
   * a job of the daemon that waits while the device is away (issue 30, item 3).
   */
  copyToDevice(srcs: string[], to: string, opts: Omit<TransferOptions, 'into'> = {}): Promise<FileOpOutcome> {
    return this.toDevice('files-copy-to-device', srcs, to, opts);
  }

  /** As `copyToDevice`, each source removed once the other device confirmed its copy verified and flushed. */
  moveToDevice(srcs: string[], to: string, opts: Omit<TransferOptions, 'into'> = {}): Promise<FileOpOutcome> {
    return this.toDevice('files-move-to-device', srcs, to, opts);
  }

  /** Delete PATHS for good (there is no trash); a file that is the last copy of its content is refused without `force`. */
  delete(paths: string[], opts: DeleteOptions = {}): Promise<FileOpOutcome> {
    const { force, ...call } = opts;
    return this.perform('files-delete', { paths, ...(force !== undefined ? { force } : {}) }, call);
  }

  private async toDevice(name: 'files-copy-to-device' | 'files-move-to-device', srcs: string[], to: string, opts: Omit<TransferOptions, 'into'>): Promise<FileOpOutcome> {
    const { onConflict, ...call } = opts;
    const { perform } = await import('../ops/facade.js');
    return queuedOutcome(await perform(this.host, name, { srcs, to, ...(onConflict !== undefined ? { onConflict } : {}) }, call));
  }

  private async perform(name: FileOpName, input: InputOf<FileOpName>, call: OpCall): Promise<FileOpOutcome> {
    const { perform } = await import('../ops/facade.js');
    return queuedOutcome(await perform<FileOpName>(this.host, name, input, call));
  }
}

/** A file operation always runs as a job (never at once): its outcome has one. */
function queuedOutcome(out: Performed<FileOpResult | null> | Performed<FileOpResult>): FileOpOutcome {
  if (out.job === null) throw new Error('a file operation ran without a job');
  return { job: out.job, result: out.result };
}
