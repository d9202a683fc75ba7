import { DEFAULT_ON_CONFLICT, ON_CONFLICT, type FileOpOutcome, type FileOpResult, type OnConflict } from '../files/file-op.js';
import { UsageError } from '../core/errors.js';
import type { OpCall, OpHost, Performed } from '../ops/op.js';
import type { FileOpFlags, FileOpVerb } from '../ops/file-op-request.js';
import type { Party } from '../files/destination.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import type { OpPreview } from '../wire/preview.js';

export type { FileOpFlags, FileOpOutcome, FileOpResult, FileOpVerb, GuardianBelowPolicy, OnConflict, OpPreview };
export { ON_CONFLICT, DEFAULT_ON_CONFLICT };
export { isDeviceAddress } from '../core/address.js';
export { asTypedPlace, isPlaceAddress } from '../ops/file-op-request.js';

export interface TransferOptions extends OpCall {
  /** What to do when a target name is taken (default keep-both: nothing is overwritten). */
  onConflict?: string;
  /** DST is a folder to copy into, made when it is not there (a trailing `/` on the command line). */
  into?: boolean;
  /** Move (or replace) even what leaves a content below its Guardian policy. */
  force?: boolean;
  /** Who asks: a paired browser (or a peer) writes only into the library's locations; this machine's user anywhere (the default). */
  party?: Party;
}

export interface DeleteOptions extends OpCall {
  /** Delete even what leaves a content below its Guardian policy (its last copy in the library too). */
  force?: boolean;
  /** Delete what the Guardian lets go and keep the rest: the contents it refuses are left out, named (with why) in the result's `kept_below`. */
  keepRefused?: boolean;
  /** For good, not into the trash (the trash keeps a deleted file restorable for 30 days on its own drive). */
  permanent?: boolean;
  /** Let go for this content, kept in their place (`similar keep`): not deleted whole, so the trash is emptied of them only as it vouches. */
  keptInstead?: string;
}

/**
 * Where a previewed operation goes: a copy's or move's destination TO as the user named it (a path
 * here, `DEVICE:/LOCATION[/PATH]`, `s3://BUCKET/PREFIX[/FOLDER]`), a `get`'s folder, a `send`'s
 * paired device (TO, or DEVICE as older callers name it); and the flags the real call would take.
 */
export interface PreviewOptions extends FileOpFlags {
  to?: string;
  device?: string;
}

/**
 * File operations (DESIGN §17): copy, move and delete files and folders of this device's
 * locations, each one durable job (src/ops/) that verifies every copy by a full BLAKE3 before a
 * move removes its source, resumes after a kill -9 or a restart, and updates the index itself.
 * Where a copy or move goes is the core's to tell apart (ops/file-op-request.ts): a folder here,
 * a paired device's folder (`DEVICE:/LOCATION[/PATH]`, a job of the daemon that waits while the
 * device is away) or a bucket volume's (`s3://BUCKET/PREFIX[/FOLDER]`, uploaded and read back);
 * its dry run (`preview`) takes the same route, so every flag means the same for each. Through a
 * daemon its job work runs them; in this process (no daemon) the call runs the job here, and a
 * job left by a killed run is taken up by the next one.
 */
export class FilesApi {
  constructor(private readonly host: OpHost) {}

  /**
   * Copy SRCS (absolute paths, or content uuids: one file of each on this device) to DST: into it
   * when it is a folder, else as its new name; or into a paired device's folder, or a bucket's.
   * A content with no file here is left out (a preview names it in `not_here`).
   */
  copy(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, force, party, ...call } = opts;
    return this.perform('copy', srcs, dst, { onConflict, into, force, party }, call);
  }

  /**
   * Move SRCS (paths, or content uuids: all their files on this device) to DST: a rename within one
   * filesystem, else copied, verified, flushed, then the source removed; into a paired device's
   * folder, each source removed once that device confirmed its copy verified and flushed.
   */
  move(srcs: string[], dst: string, opts: TransferOptions = {}): Promise<FileOpOutcome> {
    const { onConflict, into, force, party, ...call } = opts;
    return this.perform('move', srcs, dst, { onConflict, into, force, party }, call);
  }

  /**
   * Delete PATHS (or content uuids: all their files on this device) into the trash (restorable
   * for 30 days: `TrashApi`), never refused for copy counts (DESIGN §21: the result names what it
   * leaves below policy, or nowhere else); or for good with `permanent`, where what leaves a
   * content below its policy (its last copy too) is refused without `force`, or left out with
   * `keepRefused` while the rest is deleted.
   */
  delete(paths: string[], opts: DeleteOptions = {}): Promise<FileOpOutcome> {
    const { force, keepRefused, permanent, keptInstead, ...call } = opts;
    return this.perform('delete', paths, undefined, { force, keepRefused, permanent, keptInstead }, call);
  }

  /**
   * The plan of an operation on SRCS, shown and not run (`--dry-run`): a copy or move to `to`
   * (wherever it is: the names taken there as this device knows them, or as a bucket's listing
   * says), a delete, a `get` of one content (a uuid or `DEVICE:/LOCATION/PATH`) into folder `to`,
   * a `send` to a paired device. Files, bytes, names taken at the target and what the policy does
   * with them, free space against what it needs, and the contents it would leave below their
   * policy. No job, no row in the action log; refused, saying why, where no plan can be made.
   */
  async preview(op: string, srcs: string[], opts: PreviewOptions = {}): Promise<OpPreview> {
    const { preview, previewTransfer } = await import('../ops/preview.js');
    const { to, device, ...flags } = opts;
    if (op !== 'send' && device !== undefined) throw new UsageError(`a ${op} goes to no device: give --to`);
    if (op === 'get') {
      if (srcs.length !== 1) throw new UsageError('a get is of one content');
      if (to === undefined) throw new UsageError('a get needs a folder to copy into');
      return previewTransfer(this.host, { asked: 'get', ref: srcs[0]!, dir: to });
    }
    if (!isFileOpVerb(op)) throw new UsageError(`a preview is of copy, move, delete, get or send, not ${JSON.stringify(op)}`);
    const { routeFileOp } = await import('../ops/file-op-request.js');
    // The route a real call takes: its operation plans it by the same checks, and shows it.
    const r = routeFileOp(op, srcs, op === 'send' ? to ?? device : to, definedFlags(flags));
    return r.name === 'transfer' ? previewTransfer(this.host, r.input) : preview(this.host, r.name, r.input);
  }

  private async perform(op: 'copy' | 'move' | 'delete', srcs: string[], to: string | undefined, flags: FileOpFlags, call: OpCall): Promise<FileOpOutcome> {
    const [{ perform, performTransfer }, { routeFileOp }] = await Promise.all([import('../ops/facade.js'), import('../ops/file-op-request.js')]);
    const r = routeFileOp(op, srcs, to, definedFlags(flags));
    if (r.name === 'files-delete') return queuedOutcome(await perform(this.host, r.name, r.input, call));
    if (r.input.asked === 'send') throw new UsageError('a send goes through lib.send');
    return queuedOutcome(await performTransfer(this.host, r.input, call));
  }
}

function isFileOpVerb(op: string): op is FileOpVerb {
  return op === 'copy' || op === 'move' || op === 'delete' || op === 'send';
}

/** FLAGS without the ones not given (an absent flag is the operation's default). */
function definedFlags(flags: FileOpFlags): FileOpFlags {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as FileOpFlags;
}

/** A file operation always runs as a job (never at once): its outcome has one. */
function queuedOutcome(out: Performed<FileOpResult | null> | Performed<FileOpResult>): FileOpOutcome {
  if (out.job === null) throw new Error('a file operation ran without a job');
  return { job: out.job, result: out.result };
}
