import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { v5 as uuidv5 } from 'uuid';
import { VssError } from '../core/errors.js';
import { place, tempPathFor, writeFileAtomicSync } from '../core/fs-atomic.js';
import { crashPoint } from '../core/crash-point.js';
import { streamKeyed, type KeyedReader } from '../core/paging.js';
import { blake3File } from '../core/file-blake3.js';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { sidecarAbsPath, sidecarAddress, sidecarFoldersOf, sidecarRelPath, UUID_RE, type SidecarAddress } from './address.js';
import { SIDECAR_STATUSES, type SidecarRecord, type SidecarSource, type SidecarStatus } from '../store/sidecars.js';
import { canMake, checkVariant, sidecarKind, SIDECAR_KINDS, variantsOf, type SidecarKind } from './kinds.js';

export { SIDECAR_STATUSES, type SidecarSource, type SidecarStatus };

/** Namespace of sidecar ids: UUIDv5(namespace, "content_uuid|kind|variant"). Pinned: never change it. */
export const VSS_SIDECAR_NAMESPACE = '2f0b7d4e-8c1a-5e93-b6d2-7a4c9e1f3b58';

export function sidecarUuid(contentUuid: string, kind: string, variant: string): string {
  return uuidv5(`${contentUuid}|${kind}|${variant}`, VSS_SIDECAR_NAMESPACE);
}

/** The row as stored; the name the jobs still use (`SidecarRecord` of src/store/sidecars.ts). */
export type SidecarRow = SidecarRecord;

/** A sidecar as the CLI and API show it (DESIGN §11). */
export interface SidecarInfo {
  content_uuid: string;
  kind: SidecarKind;
  variant: string;
  format: string;
  status: SidecarStatus;
  source: SidecarSource;
  size: number | null;
  checksum: string | null;
  /** Absolute path on this device where the file is (reference: the user's own file), else null. */
  path: string | null;
  generator: string | null;
  error: string | null;
  /** Attempts of the job that works (or made) it; 0 before the first and after `jobs retry`. */
  attempts: number;
}

export interface PresenceItem {
  content_uuid: string;
  variant: string;
  local: boolean;
  status: SidecarStatus | 'absent';
  path: string | null;
  devices: string[];
}

export type PathAnswer =
  | { state: 'ready'; path: string }
  | { state: 'pending' | 'generating'; enqueued: boolean }
  | { state: 'unavailable'; reason: string };

export interface RecordFields {
  status: SidecarStatus;
  source: SidecarSource;
  size: number | null;
  checksum: string | null;
  sourceEntryId: number | null;
  error: string | null;
  generator?: string;
  /** The attempts its job has spent on it (`sidecars.attempts`); absent: left as it is. */
  attempts?: number;
}

export interface ListFilter {
  contentUuid?: string;
  kind?: SidecarKind;
  status?: SidecarStatus;
}

/**
 * The Virtual Sidecar System's manager (DESIGN §5): the one place that records, finds and writes
 * sidecars. The CLI, jobs and (later) the daemon all go through it.
 */
export class SidecarManager {
  constructor(private readonly lib: Library) {}

  /** For each content and variant: is it here, in what state, where, and which devices have it. */
  presence(contentUuids: readonly string[], kind: string, variants?: readonly string[]): PresenceItem[] {
    const { kind: k, variants: wanted } = presenceRequest(contentUuids, kind, variants);
    // The hot path of every UI that shows thumbnails: one query for all contents and variants,
    // answering with list positions instead of uuid strings, and paths built from the address itself.
    const width = wanted.length;
    const status: Array<SidecarStatus | undefined> = new Array(contentUuids.length * width);
    const pathOf: Array<string | null> = new Array(contentUuids.length * width).fill(null);
    const found = this.lib.store.sidecars.presence(contentUuids, k, wanted);
    const folderOf = sidecarFoldersOf(this.lib.root, k);
    const formats: readonly string[] = SIDECAR_KINDS[k].formats;
    for (const [ci, vi, st, source, format, entryId] of found) {
      const at = ci * width + vi;
      status[at] = st;
      if (st !== 'ready') continue;
      if (source === 'reference') pathOf[at] = this.referencePath(entryId);
      // The format comes from the row: only one of the kind's own may become part of a path.
      else if (formats.includes(format)) pathOf[at] = `${folderOf(contentUuids[ci]!)}${wanted[vi]!}.${format}`;
    }
    const devices = new Map<string, string[]>();
    for (const [ci, v, list] of this.lib.store.availability.holdersOf(contentUuids, k)) devices.set(`${ci}|${v}`, list.split(' '));

    const out: PresenceItem[] = new Array(contentUuids.length * width);
    for (let ci = 0; ci < contentUuids.length; ci++) {
      for (let vi = 0; vi < width; vi++) {
        const at = ci * width + vi;
        let path: string | null = pathOf[at]!;
        let devs = devices.get(`${ci}|${wanted[vi]!}`) ?? [];
        let st: SidecarStatus | 'absent' = status[at] ?? 'absent';
        // `local` means the file is here now (DESIGN §5), not that a row says so: one stat per ready
        // pair. A file gone behind vss's back is reported missing until reconcile or a job records it.
        if (path !== null && !lstatSync(path, { throwIfNoEntry: false })?.isFile()) {
          path = null;
          st = 'missing';
          devs = devs.filter((d) => d !== this.lib.device.uuid);
        }
        out[at] = { content_uuid: contentUuids[ci]!, variant: wanted[vi]!, local: path !== null, status: st, path, devices: devs };
      }
    }
    return out;
  }

  /**
   * The record half of a request, without a look at the disk or the generators: a ready row's
   * path, a pending row's state, or a new pending row when the kinds table allows the sidecar.
   * The one answer users get is the core API's `sidecars.path` (jobs/request-sidecar.ts), which
   * checks the file, the failures and this device's generators before it lands here.
   */
  recordWanted(contentUuid: string, kind: string, variant: string): PathAnswer {
    const a = sidecarAddress(contentUuid, kind, variant);
    const row = this.row(a);
    if (row?.status === 'ready') {
      const p = this.filePath(row);
      if (p) return { state: 'ready', path: p };
    }
    if (row && (row.status === 'pending' || row.status === 'generating')) return { state: row.status, enqueued: false };
    const contentKind = this.lib.store.contents.kindOf(contentUuid);
    if (contentKind === undefined) return { state: 'unavailable', reason: 'no such content in this library' };
    if (!canMake(a.kind, a.variant, contentKind)) {
      return { state: 'unavailable', reason: `a ${a.kind}/${a.variant} sidecar cannot be made from ${contentKind} content` };
    }
    this.upsert(a, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
    return { state: 'pending', enqueued: true };
  }

  list(filter: ListFilter = {}): SidecarInfo[] {
    return [...streamKeyed(this.reader(filter))];
  }

  /** Sidecars matching FILTER, LIMIT at a time after a row id (the key), in id order. */
  reader(filter: ListFilter = {}): KeyedReader<SidecarInfo> {
    return (afterId, limit) => this.lib.store.sidecars.page(filter, afterId, limit).map((r) => ({ key: r.id, item: this.info(r) }));
  }

  /**
   * Write a managed sidecar: temp file beside the final path, fsync, rename, fsync the folder,
   * then record it ready with size and checksum. A partial file never sits at the final path.
   */
  writeGenerated(address: SidecarAddress, data: Buffer, generator: string): SidecarInfo {
    const final = sidecarAbsPath(this.lib.root, address);
    this.lib.roots.library.makeFolder(dirname(final));
    writeFileAtomicSync(final, data);
    crashPoint('sidecar:after-rename');
    const row = this.upsert(address, {
      status: 'ready', source: 'generated', size: data.length, checksum: blake3(data).toString('hex'), sourceEntryId: null, error: null, generator,
    });
    return this.info(row);
  }

  /** A temporary path beside ADDRESS's final path (its folder made), for a tool that writes the file itself. */
  tempFileFor(address: SidecarAddress): string {
    const final = sidecarAbsPath(this.lib.root, address);
    this.lib.roots.library.makeFolder(dirname(final));
    return tempPathFor(final);
  }

  /**
   * Put a finished temporary file (from `tempFileFor`) at ADDRESS: hash it, place it durably
   * (fsync, rename, fsync the folder, on the thread pool), record it ready. A partial file never sits at the final path.
   */
  async adoptGenerated(address: SidecarAddress, tempFile: string, generator: string): Promise<SidecarInfo> {
    const final = sidecarAbsPath(this.lib.root, address);
    if (dirname(tempFile) !== dirname(final)) throw new VssError('USAGE', 'a generated file must be written beside its final path', { path: tempFile });
    const { size, checksum } = await blake3File(tempFile);
    await place(tempFile, final);
    crashPoint('sidecar:after-rename');
    return this.info(this.upsert(address, { status: 'ready', source: 'generated', size, checksum, sourceEntryId: null, error: null, generator }));
  }

  /**
   * This content will never have this sidecar (a video without sound has no transcript): drop its
   * record and remember why, so queueing does not ask for it again and `path` can say so.
   */
  markNotApplicable(a: SidecarAddress, reason: string, generator: string | null = null): void {
    const store = this.lib.store;
    store.transaction(() => {
      store.sidecars.delete(a.contentUuid, a.kind, a.variant);
      store.availability.remove(a.contentUuid, a.kind, a.variant, Date.now());
      store.notApplicable.set({ content_uuid: a.contentUuid, kind: a.kind, variant: a.variant, reason, generator, created_at: Date.now() });
    });
    this.lib.events.emit('sidecar:changed', { contentUuid: a.contentUuid, kind: a.kind, variant: a.variant, status: 'not-applicable', source: 'generated' });
  }

  /**
   * Forget the "never" answers of these kinds, so queueing asks again: a new model can change
   * them (embeddings of a recording once there is a speech model to transcribe it).
   */
  clearNotApplicable(kinds: readonly SidecarKind[]): number {
    return this.lib.store.notApplicable.clearKinds(kinds);
  }

  /** Why this content will never have this sidecar, if a generator said so. */
  notApplicable(a: Pick<SidecarAddress, 'contentUuid' | 'kind' | 'variant'>): string | undefined {
    return this.lib.store.notApplicable.reason(a.contentUuid, a.kind, a.variant);
  }

  /**
   * Track a user's existing file as a sidecar where it is (DESIGN §4: recorded ready at once).
   * The file is never moved here; `convertReferenceToOwned` does that on request.
   */
  createReferenceSidecar(input: { contentUuid: string; kind: string; variant: string; format: string; sourceEntryId: number; size: number; checksum: string }): SidecarInfo {
    const a = sidecarAddress(input.contentUuid, input.kind, input.variant, input.format);
    if (!this.lib.store.entries.isFile(input.sourceEntryId)) throw new VssError('NOT_FOUND', `no file entry ${input.sourceEntryId} to reference`);
    const existing = this.row(a);
    if (existing?.status === 'ready' && existing.source !== 'reference') {
      // vss already owns a good file for this sidecar; a reference must not take its place.
      throw new VssError('ALREADY_EXISTS', `${a.kind}/${a.variant} of ${a.contentUuid} is already ${existing.source} and ready`);
    }
    const row = this.upsert(a, { status: 'ready', source: 'reference', size: input.size, checksum: input.checksum, sourceEntryId: input.sourceEntryId, error: null });
    return this.info(row);
  }

  /** The record of one sidecar, or undefined when there is none. */
  get(a: SidecarAddress): SidecarInfo | undefined {
    const r = this.row(a);
    return r ? this.info(r) : undefined;
  }

  /**
   * Set a sidecar's record (creating it if needed) and this device's availability in one
   * transaction, then emit `sidecar:changed`. Every state change of a sidecar goes through here.
   */
  record(a: SidecarAddress, f: RecordFields): SidecarInfo {
    return this.info(this.upsert(a, f));
  }

  /**
   * A sidecar whose file is gone: `missing`, then `pending` again where this device can remake it
   * (DESIGN §5), so the jobs make it anew. Returns the resulting status.
   */
  markMissing(a: SidecarAddress, reason: string): SidecarStatus {
    const row = this.row(a);
    if (!row) return 'missing';
    const keep = { size: null, checksum: null, sourceEntryId: row.source_entry_id, error: reason };
    this.upsert(a, { ...keep, status: 'missing', source: row.source });
    const contentKind = this.lib.store.contents.kindOf(a.contentUuid);
    if (row.source !== 'reference' && contentKind !== undefined && canMake(a.kind, a.variant, contentKind)) {
      this.upsert(a, { ...keep, sourceEntryId: null, status: 'pending', source: 'generated' });
      return 'pending';
    }
    return 'missing';
  }

  /**
   * Forget a request that this device will not work now (its engine or model is missing, or its
   * content left the library), as if it had never been queued: queueing asks again once it can.
   * Only a row still owed (pending, generating, missing) goes. Returns whether one did.
   */
  forgetOwed(a: Pick<SidecarAddress, 'contentUuid' | 'kind' | 'variant'>): boolean {
    const store = this.lib.store;
    const gone = store.transaction(() => {
      const n = store.sidecars.deleteOwed(a.contentUuid, a.kind, a.variant);
      if (n > 0) store.availability.remove(a.contentUuid, a.kind, a.variant, Date.now());
      return n > 0;
    });
    if (gone) this.lib.events.emit('sidecar:changed', { contentUuid: a.contentUuid, kind: a.kind, variant: a.variant, status: 'absent', source: 'generated' });
    return gone;
  }

  private row(a: SidecarAddress): SidecarRecord | undefined {
    return this.lib.store.sidecars.get(a.contentUuid, a.kind, a.variant);
  }

  /** Write the record and this device's availability together, then tell the event bus. */
  private upsert(a: SidecarAddress, f: RecordFields): SidecarRecord {
    this.write(a, f);
    return this.row(a)!;
  }

  /**
   * Record a sidecar as wanted (`pending`), as `record` does but without reading it back: the
   * queueing phase records one per content and kind for a whole library.
   */
  recordPending(a: SidecarAddress): void {
    this.write(a, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
  }

  /**
   * `record` for many sidecars at once: all rows and this device's availability in ONE transaction
   * (with ALONGSIDE, when given, in the same one), then one `sidecar:changed` each after it
   * commits. A receiver recording a batch of fetched thumbnails pays one commit, not one each.
   */
  recordMany(items: ReadonlyArray<{ address: SidecarAddress; fields: RecordFields }>, alongside?: () => void): SidecarInfo[] {
    const now = Date.now();
    const rows = this.lib.store.transaction(() => {
      const out = items.map(({ address, fields }) => {
        this.writeRow(address, fields, now);
        return this.row(address)!;
      });
      alongside?.();
      return out;
    });
    for (const { address: a, fields: f } of items) {
      this.lib.events.emit('sidecar:changed', { contentUuid: a.contentUuid, kind: a.kind, variant: a.variant, status: f.status, source: f.source });
    }
    return rows.map((r) => this.info(r));
  }

  private write(a: SidecarAddress, f: RecordFields): void {
    const now = Date.now();
    this.lib.store.transaction(() => this.writeRow(a, f, now));
    this.lib.events.emit('sidecar:changed', { contentUuid: a.contentUuid, kind: a.kind, variant: a.variant, status: f.status, source: f.source });
  }

  /** The row and this device's availability; the caller holds the transaction. */
  private writeRow(a: SidecarAddress, f: RecordFields, now: number): void {
    this.lib.store.sidecars.upsert({
      uuid: sidecarUuid(a.contentUuid, a.kind, a.variant), content_uuid: a.contentUuid, kind: a.kind, variant: a.variant, format: a.format,
      rel_path: sidecarRelPath(a), source_entry_id: f.sourceEntryId, size: f.size, checksum: f.checksum, status: f.status, source: f.source,
      generator: f.generator ?? null, error: f.error, attempts: f.attempts ?? null,
    }, now);
    this.lib.store.availability.set(a.contentUuid, a.kind, a.variant, a.format, f.status === 'ready', f.size, f.checksum, now);
  }

  /**
   * Where the sidecar's file is on this device: the managed path, built from the row's address
   * (never from its stored rel_path, which a hand-edited row could point anywhere), or a
   * reference's own entry. Null when the row names nothing vss may touch.
   */
  private filePath(r: SidecarRecord): string | null {
    if (r.source === 'reference') return this.referencePath(r.source_entry_id);
    try {
      return sidecarAbsPath(this.lib.root, sidecarAddress(r.content_uuid, r.kind, r.variant, r.format));
    } catch {
      return null;
    }
  }

  /** The absolute path of a reference's file: its entry in a location added on this device. */
  referencePath(entryId: number | null): string | null {
    if (entryId === null) return null;
    try {
      const e = this.lib.roots.entry(entryId);
      return e ? e.root.path(e.rel) : null;
    } catch (err) {
      if (err instanceof PathRefusedError) return null;
      throw err;
    }
  }

  private info(r: SidecarRecord): SidecarInfo {
    return {
      content_uuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format, status: r.status, source: r.source,
      size: r.size, checksum: r.checksum, path: r.status === 'ready' ? this.filePath(r) : null, generator: r.generator, error: r.error,
      attempts: r.attempts,
    };
  }
}

/** A presence question checked as every answerer checks it: the kind, its variants (default: all fixed ones), the uuids. */
export function presenceRequest(contentUuids: readonly string[], kind: string, variants?: readonly string[]): { kind: SidecarKind; variants: string[] } {
  const k = sidecarKind(kind);
  const wanted = variants && variants.length > 0 ? [...variants] : fixedVariants(k);
  for (const v of wanted) checkVariant(k, v);
  for (const c of contentUuids) if (!UUID_RE.test(c)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(c)}`);
  return { kind: k, variants: wanted };
}

function fixedVariants(kind: SidecarKind): string[] {
  const v = variantsOf(kind);
  if (v === 'open') throw new VssError('USAGE', `${kind} variants are names (e.g. a model id): give --variants`);
  return v;
}

