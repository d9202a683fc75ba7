import { destinationOf, type Destination } from '../../core/address.js';
import { UsageError } from '../../core/errors.js';
import type { FileOpResult } from '../../files/file-op.js';
import { isOnConflict, ON_CONFLICT } from '../../files/on-conflict.js';
import type { GotOriginal } from '../../sync/library/get-original.js';
import type { GuardianProtectPlan, RepairResult } from '../../wire/guardian.js';
import type { OpPreview } from '../../wire/preview.js';
import type { TransferInput } from '../file-ops.js';
import type { Way } from '../op.js';
import type { BackupSent, BackupToDeviceInput } from './backup-to-device.js';
import type { ContentGetInput } from './get.js';
import type { GetAllInput } from './get-all-plan.js';
import type { GetAllPreview } from './get-all.js';
import type { GetAllResult } from './run/get-all-run.js';
import type { ProtectInput, ProtectResult } from './protect.js';
import type { RepairInput } from './repair.js';
import type { SendInput, SendResult } from './send.js';
import type { ToBucketInput } from './to-bucket.js';
import type { ToDeviceInput } from './to-device.js';
import type { Party } from '../../files/destination.js';

/**
 * What a transfer is asked (issue 43, "one transfer"): its verb and what it names. A copy or move
 * names its destination as the user typed it (a path here, `DEVICE:/LOCATION[/PATH]`,
 * `s3://BUCKET/PREFIX[/FOLDER]`); get, send, protect and repair say what to copy and where in
 * their own terms. The transfer (transfer.ts) picks the way for it from the table below.
 */
export type TransferAsk =
  | CopyAsk
  | ({ asked: 'get' } & ContentGetInput)
  | ({ asked: 'get-all' } & GetAllInput)
  | ({ asked: 'send' } & SendInput)
  | ({ asked: 'protect' } & ProtectInput)
  | ({ asked: 'repair' } & RepairInput)
  | ({ asked: 'backup' } & BackupToDeviceInput);

/** A copy or move: SRCS to TO as typed, with the flags every file operation shares. */
export interface CopyAsk {
  asked: 'copy' | 'move';
  srcs: string[];
  to: string;
  onConflict?: string;
  into?: boolean;
  force?: boolean;
  /** Who asks: a paired browser or a peer writes only into the library's locations (files/destination.ts); absent: this machine's user. */
  party?: Party;
}

export type Asked = TransferAsk['asked'];
export type AskOf<A extends Asked> = A extends 'copy' | 'move' ? CopyAsk : Extract<TransferAsk, { asked: A }>;

/** What a transfer answers, by what was asked. */
export interface TransferResults {
  copy: FileOpResult | null;
  move: FileOpResult | null;
  get: GotOriginal;
  'get-all': GetAllResult;
  send: SendResult;
  protect: ProtectResult;
  repair: RepairResult;
  backup: BackupSent;
}

/** What its dry run shows, by what was asked (a repair has none). */
export interface TransferPreviews {
  copy: OpPreview;
  move: OpPreview;
  get: OpPreview;
  'get-all': GetAllPreview;
  send: OpPreview;
  protect: GuardianProtectPlan;
  repair: never;
  backup: never;
}

/**
 * Every way vss moves verified bytes from one storage to another, one row each: what the user
 * asked, from where to where, the job kind that does it (its module in this folder) and whether a
 * process without the daemon can work its jobs (it needs no network); how the bytes go is the
 * row's line in docs/architecture.md's table ("A new kind of place"), where a test finds every
 * row's job kind. A new kind of storage, or of source (a phone's upload), is its rows here and
 * its way's module: no new operation, no adapter changes. Names only, so the router loads nothing
 * of the ways it does not take.
 */
export interface TransferWay {
  asked: Asked;
  /** The storage the bytes leave. */
  from: 'here' | 'here or a paired device';
  /** The storage they land in: a destination's kind as addresses tell it (core/address.ts), a paired device's inbox, or where a policy lacks copies. */
  to: Destination['kind'] | 'inbox' | 'policy';
  /** The job kind that does it, or why there is none. */
  kind: string | { refused: string };
  inProcess: boolean;
}

export const TRANSFER_WAYS = [
  { asked: 'copy', from: 'here', to: 'here', kind: 'files-copy', inProcess: true },
  { asked: 'move', from: 'here', to: 'here', kind: 'files-move', inProcess: true },
  { asked: 'copy', from: 'here', to: 'device', kind: 'files-copy-to-device', inProcess: false },
  { asked: 'move', from: 'here', to: 'device', kind: 'files-move-to-device', inProcess: false },
  { asked: 'copy', from: 'here', to: 'bucket', kind: 'files-copy-to-bucket', inProcess: true },
  { asked: 'move', from: 'here', to: 'bucket', kind: { refused: 'a move into a bucket is not built: copy (vss files copy … s3://…), then delete' }, inProcess: true },
  { asked: 'get', from: 'here or a paired device', to: 'here', kind: 'content-get', inProcess: false },
  { asked: 'get-all', from: 'here or a paired device', to: 'here', kind: 'content-get-all', inProcess: true },
  { asked: 'send', from: 'here', to: 'inbox', kind: 'files-send', inProcess: false },
  { asked: 'protect', from: 'here', to: 'policy', kind: 'guardian-protect', inProcess: true },
  { asked: 'repair', from: 'here or a paired device', to: 'here', kind: 'guardian-repair', inProcess: true },
  { asked: 'backup', from: 'here', to: 'device', kind: 'library-backup-to-device', inProcess: false },
] as const satisfies readonly TransferWay[];

type Row = (typeof TRANSFER_WAYS)[number];
/** The job kinds of the ways. */
export type WayKind = Exclude<Row['kind'], { refused: string }>;

/** Each way's module, loaded when first taken. */
const WAYS = {
  // Within this device: the file operations' own run (ops/transfer/run/).
  'files-copy': () => import('../file-ops.js').then((m) => m.transferOp('copy')),
  'files-move': () => import('../file-ops.js').then((m) => m.transferOp('move')),
  'files-copy-to-device': () => import('./to-device.js').then((m) => m.toDeviceOp('copy')),
  'files-move-to-device': () => import('./to-device.js').then((m) => m.toDeviceOp('move')),
  'files-copy-to-bucket': () => import('./to-bucket.js').then((m) => m.filesCopyToBucket),
  'content-get': () => import('./get.js').then((m) => m.contentGet),
  'content-get-all': () => import('./get-all.js').then((m) => m.contentGetAll),
  'files-send': () => import('./send.js').then((m) => m.filesSend),
  'guardian-protect': () => import('./protect.js').then((m) => m.guardianProtect),
  'guardian-repair': () => import('./repair.js').then((m) => m.guardianRepair),
  'library-backup-to-device': () => import('./backup-to-device.js').then((m) => m.libraryBackupToDevice),
} as const satisfies Record<WayKind, () => Promise<Way<never, unknown, unknown>>>;

/** The way of the job kind KIND (a job queued by any way resumes by its kind); undefined: not a transfer's. */
export function loadWay(kind: string): Promise<Way<unknown, unknown, unknown>> | undefined {
  const load = (WAYS as Record<string, () => Promise<Way<never, unknown, unknown>>>)[kind];
  return load?.() as Promise<Way<unknown, unknown, unknown>> | undefined;
}

export const WAY_KINDS = Object.keys(WAYS) as WayKind[];

/** Whether a process without the daemon can work jobs of KIND (a way that needs the P2P node cannot). */
export function wayInProcess(kind: string): boolean {
  return TRANSFER_WAYS.some((row) => row.kind === kind && row.inProcess);
}

/** A way picked: its job kind and the input its module takes. */
export type Routed = { [K in WayKind]: { kind: K; input: Awaited<ReturnType<(typeof WAYS)[K]>> extends Way<infer I, infer _R, infer _P> ? I : never } }[WayKind];

/**
 * The way ASK takes, from this table, and what it hands that way: a copy or move by its verb and
 * its destination's kind (the rest by their verb), every flag carried as given. Refused, with the
 * row's reason, where there is no way.
 */
export function routeTransfer(ask: TransferAsk): Routed {
  switch (ask.asked) {
    case 'copy':
    case 'move': {
      const { asked, srcs, to, onConflict, into, force, party } = ask;
      // The conflict policy is the transfer's, checked once for every way.
      if (onConflict !== undefined && !isOnConflict(onConflict)) throw new UsageError(`--on-conflict must be one of ${ON_CONFLICT.join(', ')}`);
      const dst = destinationOf(to);
      switch (dst.kind) {
        case 'here':
          return { kind: wayTo(asked, 'here'), input: given<TransferInput>({ srcs, dst: dst.path, onConflict, into, force, party }) };
        case 'device':
          // A device's folder is always one to put the files in (made there when missing): INTO says nothing more.
          return { kind: wayTo(asked, 'device'), input: given<ToDeviceInput>({ srcs, to: dst.address, onConflict, force }) };
        case 'bucket':
          return { kind: wayTo(asked, 'bucket'), input: given<ToBucketInput>({ srcs, to: dst.url, onConflict, force }) };
      }
    }
    case 'get':
      return { kind: 'content-get', input: { ref: ask.ref, dir: ask.dir } };
    case 'get-all':
      return { kind: 'content-get-all', input: { dir: ask.dir, ...(ask.from !== undefined ? { from: ask.from } : {}) } };
    case 'send':
      return { kind: 'files-send', input: { refs: ask.refs, to: ask.to } };
    case 'protect':
      return { kind: 'guardian-protect', input: ask.to !== undefined ? { to: ask.to } : {} };
    case 'repair':
      return { kind: 'guardian-repair', input: { contents: ask.contents } };
    case 'backup':
      return { kind: 'library-backup-to-device', input: { to: ask.to, ...(ask.scheduled === true ? { scheduled: true } : {}) } };
  }
}

type KindOf<A extends Row['asked'], K extends Row['to']> = Exclude<Extract<Row, { asked: A; to: K }>['kind'], { refused: string }>;

/** The job kind that does ASKED to a destination of kind TO; refused, with the row's reason, where there is none. */
export function wayTo<A extends 'copy' | 'move', K extends Destination['kind']>(asked: A, to: K): KindOf<A, K> {
  const way = TRANSFER_WAYS.find((row) => row.asked === asked && row.to === to);
  if (!way) throw new Error(`no transfer way to ${asked} to a ${to}`);
  if (typeof way.kind !== 'string') throw new UsageError(way.kind.refused);
  return way.kind as KindOf<A, K>;
}

/**
 * An input T from ALL of its fields, each named (undefined where not given), and only its fields:
 * a field added to an input that a route does not fill, or a flag a route hands to an input that
 * has no field for it, does not compile. The undefined ones are left out.
 */
function given<T extends object>(all: { [K in keyof Required<T>]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as T;
}
