import { DEFAULT_ON_CONFLICT, ON_CONFLICT, type FileOpOutcome, type FileOpResult, type OnConflict } from '../files/file-op.js';
import { UsageError } from '../core/errors.js';
import type { OpCall, OpHost, Performed } from '../ops/op.js';
import type { InputOf } from '../ops/facade.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import type { OpPreview } from '../wire/preview.js';

export type { FileOpOutcome, FileOpResult, GuardianBelowPolicy, OnConflict, OpPreview };
export { ON_CONFLICT, DEFAULT_ON_CONFLICT };
export { isDeviceAddress } from '../files/places.js';

type FileOpName = 'files-copy' | 'files-move' | 'files-delete';

export interface TransferOptions extends OpCall {
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: string;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
  /** Move (or replace) even what leaves a content below its Guardian policy. */
  force?: boolean;
}

export interface DeleteOptions extends OpCall {
  /** Delete even what leaves a content below its Guardian policy (its last copy in the library too). */
  force?: boolean;
  /** Delete what the Guardian lets go and keep the rest: the contents it refuses are left out, named (with why) in the result's `kept_below`. */
  keepRefused?: boolean;
}

/** Where a previewed operation goes: a copy's or move's destination (INTO, ONCONFLICT as for them), a `get`'s folder; a `send`'s DEVICE. */
export interface PreviewOptions {
  to?: string;
  onConflict?: string;
  into?: boolean;
  device?: string;
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

  /**
   * Copy SRCS (absolute paths, or content uuids: one file of each on this device) to DST: into it
   * when it is a folder, else as its new name. A content with no file here is left out (a preview
   * names it in `not_here`).
   */
  copy(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, force, ...call } = opts;
    return this.perform('files-copy', { srcs, dst, ...transferFlags(onConflict, into, force) }, call);
  }

  /** Move SRCS (paths, or content uuids: all their files on this device) to DST: a rename within one filesystem, else copied, verified, flushed, then the source removed. */
  move(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, force, ...call } = opts;
    return this.perform('files-move', { srcs, dst, ...transferFlags(onConflict, into, force) }, call);
  }

  /**
   * Copy SRCS (files of this device's locations) into TO, `DEVICE:/LOCATION[/PATH]`: a folder of
   * a paired device's location (made there when missing), each file verified and flushed there;
   * a job of the daemon that waits while the device is away (issue 30, item 3).
   */
  copyToDevice(srcs: string[], to: string, opts: Omit<TransferOptions, 'into'> = {}): Promise<FileOpOutcome> {
    return this.toDevice('files-copy-to-device', srcs, to, opts);
  }

  /**
   * Copy files of this device's locations into a bucket volume, TO `s3://BUCKET/PREFIX[/FOLDER]`
   * (issue 30 item 7): each uploaded, checked against its content's BLAKE3 and read back, then
   * counted as a copy off this device.
   */
  async copyToBucket(srcs: string[], to: string, call: OpCall = {}): Promise<FileOpOutcome> {
    const { perform } = await import('../ops/facade.js');
    return queuedOutcome(await perform(this.host, 'files-copy-to-bucket', { srcs, to }, call));
  }

  /** As `copyToDevice`, each source removed once the other device confirmed its copy verified and flushed. */
  moveToDevice(srcs: string[], to: string, opts: Omit<TransferOptions, 'into'> = {}): Promise<FileOpOutcome> {
    return this.toDevice('files-move-to-device', srcs, to, opts);
  }

  /**
   * Delete PATHS (or content uuids: all their files on this device) for good (there is no trash);
   * what leaves a content below its policy (its last copy too) is refused without `force`, or
   * left out with `keepRefused` while the rest is deleted.
   */
  delete(paths: string[], opts: DeleteOptions = {}): Promise<FileOpOutcome> {
    const { force, keepRefused, ...call } = opts;
    return this.perform('files-delete', { paths, ...(force !== undefined ? { force } : {}), ...(keepRefused !== undefined ? { keepRefused } : {}) }, call);
  }

  /**
   * The plan of an operation on SRCS, shown and not run (`--dry-run`): a copy or move to `to`, a
   * delete, a `get` of one content (a uuid or `DEVICE:/LOCATION/PATH`) into folder `to`, a `send`
   * to paired `device`. Files, bytes, names taken at the target, free space against what it
   * needs, and the contents it would leave below their policy. No job, no row in the action log.
   */
  async preview(op: string, srcs: string[], opts: PreviewOptions = {}): Promise<OpPreview> {
    const { preview } = await import('../ops/preview.js');
    const { to, device } = opts;
    const needs = (what: string, v: string | undefined): string => {
      if (v === undefined) throw new UsageError(`a ${op} needs ${what}`);
      return v;
    };
    if (op !== 'send' && device !== undefined) throw new UsageError(`a ${op} goes to no device: give --to`);
    switch (op) {
      case 'delete':
        if (to !== undefined) throw new UsageError('a delete goes nowhere: give no destination');
        return preview(this.host, 'files-delete', { paths: srcs });
      case 'copy':
      case 'move':
        return preview(this.host, op === 'copy' ? 'files-copy' : 'files-move', { srcs, dst: needs('a destination', to), ...transferFlags(opts.onConflict, opts.into, undefined) });
      case 'get':
        if (srcs.length !== 1) throw new UsageError('a get is of one content');
        return preview(this.host, 'content-get', { ref: srcs[0]!, dir: needs('a folder to copy into', to) });
      case 'send':
        return preview(this.host, 'files-send', { refs: srcs, to: needs('a paired device', device) });
      default:
        throw new UsageError(`a preview is of copy, move, delete, get or send, not ${JSON.stringify(op)}`);
    }
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

function transferFlags(onConflict: string | undefined, into: boolean | undefined, force: boolean | undefined): { onConflict?: string; into?: boolean; force?: boolean } {
  return { ...(onConflict !== undefined ? { onConflict } : {}), ...(into !== undefined ? { into } : {}), ...(force !== undefined ? { force } : {}) };
}
