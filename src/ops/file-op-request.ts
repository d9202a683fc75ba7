import { UsageError } from '../core/errors.js';
import { isPlaceAddress } from '../core/address.js';
import type { DeleteInput } from './file-ops.js';
import type { Party } from '../files/destination.js';
import type { AskOf, CopyAsk } from './transfer/strategies.js';

export { asTypedPlace, destinationOf, isPlaceAddress, type Destination } from '../core/address.js';

/*
 * A file operation as the user asked it, whatever its destination (issue 42, "every flag on every
 * branch"): the operation, its sources, where to (as typed: a path here, `DEVICE:/LOCATION[/PATH]`
 * or `s3://BUCKET/PREFIX[/FOLDER]`) and the flags every file operation shares. The API routes it
 * here to the durable operation that does it — the same route for a real call and for its dry
 * run (`preview`), so no kind of destination can skip a flag: a dry run is the route's preview, or
 * refused where that operation has none. A copy, move or send is asked of the transfer, which
 * takes the way its table says for the destination (transfer/strategies.ts, `routeTransfer`).
 */

/** The file operations a user asks (`files copy|move|delete|send`). */
export type FileOpVerb = 'copy' | 'move' | 'delete' | 'send';

/** The flags the file operations share, as the core takes them (`--dry-run` and `--detach` are how a call goes, not what it does). */
export interface FileOpFlags {
  /** A name taken at the destination: skip, keep-both (the default), replace (copy, move). */
  onConflict?: string;
  /** The destination here is a folder to put the sources in, made when missing (a trailing `/`); a device's or a bucket's folder always is. */
  into?: boolean;
  /** Go past the Guardian's refusal, naming what it leaves short (copy and move that replace or remove, delete). */
  force?: boolean;
  /** Delete what the Guardian lets go and keep the rest, named (delete). */
  keepRefused?: boolean;
  /** Delete for good, not into the trash (delete). */
  permanent?: boolean;
  /** The content kept in place of what a delete lets go (`similar keep`; delete). */
  keptInstead?: string;
  /** Who asks (copy, move): a paired browser or a peer writes only into the library's locations (files/destination.ts). */
  party?: Party;
}

/** A file operation routed: the durable operation (src/ops/registry.ts) that does it, and its input. */
export type Routed =
  | { name: 'transfer'; input: AskOf<'copy' | 'move'> | AskOf<'send'> }
  | { name: 'files-delete'; input: DeleteInput };

/**
 * OP of SRCS to TO with FLAGS, routed by what TO is. Every flag is read on every branch: carried
 * where the operation does something with it, refused where it cannot be honoured, never dropped.
 */
export function routeFileOp(op: FileOpVerb, srcs: string[], to: string | undefined, flags: FileOpFlags): Routed {
  const { onConflict, into, force, keepRefused, permanent, keptInstead, party } = flags;
  for (const s of srcs) {
    if (isPlaceAddress(s)) throw new UsageError(`${s} is not a file of this device: vss files ${op} works on this device's files (vss content get copies one here)`);
  }
  const only = (what: string, ok: boolean) => {
    if (!ok) throw new UsageError(`${what} does not apply to a ${op}`);
  };
  if (op === 'delete' || op === 'send') {
    only('who asks', party === undefined || party === 'local');
    only('--on-conflict', onConflict === undefined);
    only('a folder to copy into', into !== true);
    only('--keep-refused', keepRefused !== true || op === 'delete');
    only('--permanent', permanent !== true || op === 'delete');
    only('a content kept instead', keptInstead === undefined || op === 'delete');
  } else {
    only('a content kept instead', keptInstead === undefined);
    only('--keep-refused', keepRefused !== true);
    only('--permanent', permanent !== true);
  }
  switch (op) {
    case 'delete':
      if (to !== undefined) throw new UsageError('a delete goes nowhere: give no destination');
      return { name: 'files-delete', input: given<DeleteInput>({ paths: srcs, force, keepRefused, permanent, keptInstead }) };
    case 'send':
      // A send goes to a paired device's inbox, whose names the receiver picks (keep both): nothing there is replaced, so nothing to force.
      only('--force', force !== true);
      if (to === undefined) throw new UsageError('a send needs a paired device (--to DEVICE)');
      return { name: 'transfer', input: { asked: 'send', refs: srcs, to } };
    case 'copy':
    case 'move':
      if (to === undefined) throw new UsageError(`a ${op} needs a destination`);
      // The way there is the transfer's to pick, by its table (a row per verb and destination kind).
      return { name: 'transfer', input: { asked: op, ...given<Omit<CopyAsk, 'asked'>>({ srcs, to, onConflict, into, force, party }) } };
  }
}

/**
 * An operation's input T from ALL of its fields, each named (undefined where not given), and only
 * its fields: a field added to an input that a route does not fill, or a flag a route hands to an
 * input that has no field for it, does not compile. The undefined ones are left out.
 */
function given<T extends object>(all: { [K in keyof Required<T>]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as T;
}
