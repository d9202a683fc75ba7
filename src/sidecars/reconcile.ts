import { lstatSync, type Dirent } from 'node:fs';
import { sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describeFsError, errnoCode, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { parseSidecarRelPath, sidecarAbsPath, sidecarAddress, UUID_RE, type SidecarAddress } from './address.js';
import { checksumFile, type ChecksumOutcome } from '../core/file-blake3.js';
import { canMake, kindForDir, SIDECAR_KINDS } from './kinds.js';
import { SidecarManager, type SidecarInfo, type SidecarSource } from './manager.js';
import { ContentKindCursor, SidecarRowCursor, type RowSnapshot } from './reconcile-cursors.js';
import { ReferenceChecker } from './reference-check.js';
import { quarantineFile } from './quarantine.js';
import { SweepFs } from './reconcile-fs.js';
import { Verifier, type Verdict } from './verify-pool.js';

/** What one reconcile changed (DESIGN §5, §11). A second run right after reports all zeros. */
export interface ReconcileResult {
  /** Files found at a valid address of a known content that no ready row accounted for: now recorded ready. */
  recorded: number;
  /** Ready rows whose file is gone: now `missing` (and `pending` again where the sidecar can be made here). */
  missing: number;
  /** Files of unknown contents and anything else under sidecars/content that is not a valid address. */
  orphans_removed: number;
  /** Leftover temporary files of interrupted writes. */
  temp_removed: number;
  /** With verify: files whose size or checksum is not what was recorded. Generated ones are deleted and re-queued. */
  corrupt: number;
  /**
   * Files vss cannot make again (converted, fetched) that failed verification, or that belong to a
   * content the library no longer knows: moved to quarantine/ inside the library, never deleted.
   */
  quarantined: number;
}

export interface ReconcileOptions {
  /** Re-hash every ready managed file (size first); without it, a file that is there is taken as recorded. */
  verify?: boolean;
  /** A file or folder that could not be read or removed; reconcile leaves it and goes on. */
  onProblem?: (path: string, reason: string) => void;
  /** A file moved to quarantine/ (from, to, why). */
  onQuarantine?: (from: string, to: string, reason: string) => void;
  /** With verify: how far the re-hashing has got. */
  onProgress?: (p: { done: number; total: number; doneBytes: number; totalBytes: number }) => void;
}

const HEX2 = /^[0-9a-f]{2}$/;
/** Long runs hand the event loop back this often, so a daemon stays responsive. */
const YIELD_MS = 50;

/** A file at a valid address, found in a content's folder. */
interface Found {
  address: SidecarAddress;
  path: string;
  folder: { kept: number };
}

/**
 * Make the database and sidecars/ agree again (DESIGN §5). One streaming pass: the folders are
 * walked in content_uuid order (readdir per folder, sorted) beside sidecar and content rows
 * read in the same order, so memory does not grow with the number of files. Every change goes
 * through SidecarManager.record() after a fresh look at the row and the file, so work done
 * meanwhile is never undone. Nothing outside sidecars/ is written, and no symlink is followed.
 */
export function reconcile(lib: Library, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  return new Reconciler(lib, opts).run();
}

class Reconciler {
  private readonly result: ReconcileResult = { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 0, quarantined: 0 };
  private readonly manager: SidecarManager;
  private readonly rows: SidecarRowCursor;
  private readonly contents: ContentKindCursor;
  private readonly references: ReferenceChecker;
  private readonly fs: SweepFs;
  /** Present with verify: re-hashes every ready managed file, beside the walk once there is enough to hash. */
  private readonly verifier: Verifier | undefined;
  private toVerify = { files: 0, bytes: 0 };
  private verified = { files: 0, bytes: 0, reportedAt: 0 };
  private lastYield = performance.now();

  constructor(private readonly lib: Library, private readonly opts: ReconcileOptions) {
    this.manager = new SidecarManager(lib);
    this.fs = new SweepFs(this.result, (path, err) => this.problem(path, err));
    this.rows = new SidecarRowCursor(lib.store.sidecars);
    this.contents = new ContentKindCursor(lib.store.contents);
    this.references = new ReferenceChecker(lib);
    if (opts.verify) {
      this.toVerify = lib.store.sidecars.managedReadyTotals();
      this.verifier = new Verifier(this.toVerify.bytes, (path, reason) => this.opts.onProblem?.(path, reason));
    }
  }

  async run(): Promise<ReconcileResult> {
    try {
      this.reportVerified(true);
      await this.walk();
      await this.verifier?.drain();
      this.reportVerified(true);
    } finally {
      await this.verifier?.close();
    }
    return this.result;
  }

  private reportVerified(now: boolean): void {
    if (!this.verifier || !this.opts.onProgress) return;
    const t = performance.now();
    if (!now && t - this.verified.reportedAt < 100) return;
    this.verified.reportedAt = t;
    // The totals were counted before the walk: files added since may take `done` past them.
    const total = Math.max(this.toVerify.files, this.verified.files);
    const totalBytes = Math.max(this.toVerify.bytes, this.verified.bytes);
    this.opts.onProgress({ done: this.verified.files, total, doneBytes: this.verified.bytes, totalBytes });
  }

  private async walk(): Promise<void> {
    const root = this.lib.layout.sidecarsDir;
    const st = lstatSync(root, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) {
      // Following it would let reconcile delete files wherever it points.
      throw new VssError('LIBRARY_INVALID', 'sidecars/ is not a real folder (a symbolic link?); reconcile works only inside the library', { path: root });
    }
    for (const e of st ? this.fs.listOrThrow(root) : []) {
      const p = root + sep + e.name;
      if (e.name === 'content' && e.isDirectory()) await this.walkContentRoot(p);
      else if (e.name === 'content') this.fs.removeJunk(p, e);
      else this.fs.sweepOutside(p, e);
    }
    await this.rowsBefore(undefined);
  }

  // --- the walk: sidecars/content/{h0}/{h1}/{uuid}; each returns whether its folder is gone ----

  private async walkContentRoot(dir: string): Promise<void> {
    for (const e of this.fs.listOrThrow(dir)) {
      const p = dir + sep + e.name;
      if (this.fs.sweep(p, e) !== undefined) continue;
      if (e.isDirectory() && HEX2.test(e.name)) await this.walkH0(p, e.name);
      else this.fs.removeJunk(p, e);
    }
  }

  private async walkH0(dir: string, h0: string): Promise<boolean> {
    const entries = this.fs.list(dir);
    if (entries === null) return this.skipRows(h0);
    let kept = 0;
    for (const e of entries) {
      const p = dir + sep + e.name;
      const gone = this.fs.sweep(p, e) ?? (e.isDirectory() && HEX2.test(e.name) ? await this.walkH1(p, h0 + e.name) : this.fs.removeJunk(p, e));
      if (!gone) kept++;
    }
    return kept === 0 && this.fs.rmdir(dir, { listedEmpty: entries.length === 0 });
  }

  private async walkH1(dir: string, prefix: string): Promise<boolean> {
    const entries = this.fs.list(dir);
    if (entries === null) return this.skipRows(prefix);
    let kept = 0;
    for (const e of entries) {
      const p = dir + sep + e.name;
      let gone = this.fs.sweep(p, e);
      if (gone === undefined) {
        // A valid uuid filed under another prefix is not an address: junk like any other.
        gone = e.isDirectory() && UUID_RE.test(e.name) && e.name.startsWith(prefix) ? await this.contentFolder(p, e, e.name) : this.fs.removeJunk(p, e);
      }
      if (!gone) kept++;
      await this.maybeYield();
    }
    return kept === 0 && this.fs.rmdir(dir, { listedEmpty: entries.length === 0 });
  }

  /** One content's folder, merged with its rows. */
  private async contentFolder(dir: string, dirent: Dirent, uuid: string): Promise<boolean> {
    await this.rowsBefore(uuid);
    const rows = this.rows.peekContent() === uuid ? this.rows.nextGroup() : [];
    const contentKind = this.contents.kindOf(uuid) ?? this.contentKindNow(uuid);
    if (contentKind === undefined) {
      // The content left the library; what vss could not make again is set aside, the rest goes.
      for (const row of rows) this.keepIrreplaceable(row);
      const gone = this.fs.removeJunk(dir, dirent);
      for (const row of rows) this.rowWithoutFile(row, undefined);
      return gone;
    }
    const entries = this.fs.list(dir);
    if (entries === null) return false; // unreadable: its rows are left as they are

    const found = new Map<string, Found[]>(); // kind|variant → files (normally one)
    const unreadable = new Set<string>(); // kinds whose folder could not be listed
    const folders: Array<{ path: string; kept: number; listed: number }> = [];
    let kept = 0;
    for (const e of entries) {
      const p = dir + sep + e.name;
      const swept = this.fs.sweep(p, e);
      if (swept !== undefined) { if (!swept) kept++; continue; }
      const kind = e.isDirectory() ? kindForDir(e.name) : undefined;
      if (!kind) { if (!this.fs.removeJunk(p, e)) kept++; continue; }
      const files = this.fs.list(p);
      if (files === null) { unreadable.add(kind); kept++; continue; }
      const folder = { path: p, kept: 0, listed: files.length };
      folders.push(folder);
      for (const f of files) {
        const fp = p + sep + f.name;
        const s = this.fs.sweep(fp, f);
        if (s !== undefined) { if (!s) folder.kept++; continue; }
        // The one parser decides what is an address (variant in the table, allowed format, ...).
        const address = f.isFile() ? parseSidecarRelPath(`sidecars/content/${uuid.slice(0, 2)}/${uuid.slice(2, 4)}/${uuid}/${e.name}/${f.name}`) : null;
        if (!address) { if (!this.fs.removeJunk(fp, f)) folder.kept++; continue; }
        folder.kept++;
        const key = `${address.kind}|${address.variant}`;
        const list = found.get(key);
        if (list) list.push({ address, path: fp, folder });
        else found.set(key, [{ address, path: fp, folder }]);
      }
    }

    // Ready rows first: is each one's file here and intact?
    const held = new Map<string, 'managed' | 'reference'>(); // kind|variant → a ready row keeps it
    for (const row of rows) {
      if (row.status !== 'ready') continue;
      const a = addressOf(row);
      if (!a) continue;
      const key = `${row.kind}|${row.variant}`;
      if (row.source === 'reference') {
        if (this.referenceStillReady(row, a)) held.set(key, 'reference');
        continue;
      }
      if (unreadable.has(row.kind)) { held.set(key, 'managed'); continue; }
      const list = found.get(key) ?? [];
      const i = list.findIndex((f) => f.address.format === row.format);
      if (i >= 0) {
        const own = list.splice(i, 1)[0]!;
        held.set(key, 'managed');
        // Plain reconcile takes a file that is there as recorded (a stat per file would cost a fifth
        // of the run); verify re-hashes it, possibly ahead of the walk, and acts when the verdict comes.
        if (this.verifier) {
          await this.verifier.submit({ path: own.path, size: row.size ?? -1 }, row.checksum ?? '', (v) => this.afterVerify(v, row, a, own, contentKind));
        }
        continue;
      }
      // The file is gone, unless the same sidecar is here in another format: that one is recorded below.
      if (list.length === 0) this.markMissing(row, a, contentKind);
    }

    // Then files that no ready row accounts for.
    for (const [key, list] of found) {
      if (list.length === 0) continue;
      // A reference still in place with a managed copy beside it: a conversion under way or interrupted; its journal decides.
      if (held.get(key) === 'reference') continue;
      const formats: readonly string[] = SIDECAR_KINDS[list[0]!.address.kind].formats;
      list.sort((x, y) => formats.indexOf(x.address.format) - formats.indexOf(y.address.format));
      if (!held.has(key) && !(await this.recordFound(list.shift()!))) continue;
      // One sidecar per (content, kind, variant): a copy in another format is a leftover.
      for (const dup of list) if (this.fs.unlink(dup.path, 'orphan')) dup.folder.kept--;
    }

    for (const f of folders) if (!(f.kept === 0 && this.fs.rmdir(f.path, { listedEmpty: f.listed === 0 }))) kept++;
    return kept === 0 && this.fs.rmdir(dir, { listedEmpty: entries.length === 0 });
  }

  /** Rows of contents that have no folder on disk, up to (not including) UUID; all the rest at the end. */
  private async rowsBefore(uuid: string | undefined): Promise<void> {
    for (;;) {
      const next = this.rows.peekContent();
      if (next === undefined || (uuid !== undefined && next >= uuid)) return;
      const group = this.rows.nextGroup();
      if (group.some((r) => r.status === 'ready')) {
        // Looked up only when needed: most groups here are pending work, not lost files.
        const contentKind = UUID_RE.test(next) ? this.contents.kindOf(next) : undefined;
        for (const row of group) this.rowWithoutFile(row, contentKind);
      }
      await this.maybeYield();
    }
  }

  /** A content's h0/h1 folder could not be listed: its rows are left as they are, not declared missing. */
  private async skipRows(prefix: string): Promise<false> {
    await this.rowsBefore(prefix);
    while (this.rows.peekContent()?.startsWith(prefix)) this.rows.nextGroup();
    return false;
  }

  // --- decisions, each confirmed against a fresh read before it is recorded ------------------

  private rowWithoutFile(row: RowSnapshot, contentKind: string | undefined): void {
    if (row.status !== 'ready') return;
    const a = addressOf(row);
    if (!a) return;
    if (row.source === 'reference') this.referenceStillReady(row, a);
    else this.markMissing(row, a, contentKind);
  }

  private markMissing(row: RowSnapshot, a: SidecarAddress, contentKind: string | undefined): void {
    const fresh = this.manager.get(a);
    if (fresh?.status !== 'ready' || fresh.source === 'reference') return;
    if (lstatSync(sidecarAbsPath(this.lib.root, a), { throwIfNoEntry: false })) return; // written since we looked
    this.result.missing++;
    this.toMissing(a, fresh, contentKind, 'reconcile found no file at its path');
  }

  /** Whether a ready reference row stays ready; marks it missing when its file is gone. */
  private referenceStillReady(row: RowSnapshot, a: SidecarAddress): boolean {
    if (this.references.state(row.source_entry_id) !== 'gone') return true;
    const fresh = this.manager.get(a);
    if (fresh?.status !== 'ready' || fresh.source !== 'reference') return fresh?.status === 'ready';
    this.result.missing++;
    this.manager.record(a, {
      status: 'missing', source: 'reference', size: fresh.size, checksum: fresh.checksum, sourceEntryId: row.source_entry_id,
      error: 'the referenced file is gone',
    });
    return false;
  }

  /**
   * A file that is not the recorded bytes: deleted and re-queued when vss made it and can make it
   * again; otherwise (converted, fetched) moved to quarantine/, never deleted. False when the row
   * changed meanwhile (it is left alone).
   */
  private dropCorrupt(row: RowSnapshot, a: SidecarAddress, file: Found, contentKind: string): boolean {
    const fresh = this.manager.get(a);
    if (fresh?.status !== 'ready' || fresh.source === 'reference' || fresh.checksum !== row.checksum || fresh.size !== row.size) return false;
    const why = 'reconcile --verify found the file corrupt (its size or checksum differs from the record)';
    if (fresh.source === 'generated' && canMake(a.kind, a.variant, contentKind)) {
      if (!this.fs.unlink(file.path, null)) return false;
      file.folder.kept--;
      this.result.corrupt++;
      this.toMissing(a, fresh, contentKind, `${why} and deleted it`);
      return true;
    }
    const to = this.quarantine(a, file.path, why);
    if (to === undefined) return false;
    file.folder.kept--;
    this.result.corrupt++;
    this.toMissing(a, fresh, contentKind, `${why}; it was moved to ${to}`);
    return true;
  }

  /** A ready converted row of a content the library no longer knows: its file is the only copy. */
  private keepIrreplaceable(row: RowSnapshot): void {
    if (row.status !== 'ready' || row.source !== 'converted') return;
    const a = addressOf(row);
    if (!a) return;
    const path = sidecarAbsPath(this.lib.root, a);
    if (!lstatSync(path, { throwIfNoEntry: false })?.isFile()) return;
    const why = 'its content is no longer in the library, and vss cannot make this file again';
    const to = this.quarantine(a, path, why);
    if (to === undefined) return;
    const fresh = this.manager.get(a);
    if (fresh) {
      this.manager.record(a, { status: 'missing', source: fresh.source, size: fresh.size, checksum: fresh.checksum, sourceEntryId: null, error: `${why}; it was moved to ${to}` });
    }
  }

  /** Move a file to quarantine/; undefined (reported) when it could not be moved, so it stays where it is. */
  private quarantine(a: SidecarAddress, path: string, why: string): string | undefined {
    try {
      const to = quarantineFile(this.lib, a, path);
      this.result.quarantined++;
      this.opts.onQuarantine?.(path, to, why);
      return to;
    } catch (err) {
      this.problem(path, err);
      return undefined;
    }
  }

  /**
   * missing, then pending where vss can make it again for this content (DESIGN §5: re-queued). A
   * content only paired devices hold has no source file here: its sidecar stays missing, and
   * prefetch fetches it again from a device that has it (DESIGN §15).
   */
  private toMissing(a: SidecarAddress, fresh: SidecarInfo, contentKind: string | undefined, reason: string): void {
    this.manager.record(a, { status: 'missing', source: fresh.source, size: fresh.size, checksum: fresh.checksum, sourceEntryId: null, error: reason });
    if (contentKind !== undefined && canMake(a.kind, a.variant, contentKind) && this.lib.store.contents.kindOf(a.contentUuid) !== undefined) {
      this.manager.record(a, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
    }
  }

  /** Record a file no ready row accounts for, with its size and checksum. */
  private async recordFound(file: Found): Promise<boolean> {
    let out: ChecksumOutcome;
    try {
      out = await checksumFile(file.path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') this.problem(file.path, err);
      return false;
    }
    if (!out.ok) return false;
    const fresh = this.manager.get(file.address);
    if (fresh?.status === 'ready') return false; // recorded meanwhile
    // The same bytes a row already described keep their provenance; a reference's bytes at the managed path were converted.
    const same = fresh !== undefined && fresh.checksum === out.checksum && fresh.source !== 'generated';
    const source: SidecarSource = same ? (fresh.source === 'reference' ? 'converted' : fresh.source) : 'generated';
    this.manager.record(file.address, { status: 'ready', source, size: out.size, checksum: out.checksum, sourceEntryId: null, error: null });
    this.result.recorded++;
    return true;
  }

  private afterVerify(v: Verdict, row: RowSnapshot, a: SidecarAddress, file: Found, contentKind: string): void {
    this.verified.files++;
    this.verified.bytes += row.size ?? 0;
    this.reportVerified(false);
    if (v === 'corrupt') this.dropCorrupt(row, a, file, contentKind);
    else if (v === 'gone') this.markMissing(row, a, contentKind);
  }

  /** The content's kind, read now (a cursor page may predate it); undefined when no device of the library holds it. */
  private contentKindNow(uuid: string): string | undefined {
    return this.lib.store.contents.kindOfAnywhere(uuid);
  }

  private problem(path: string, err: unknown): void {
    this.opts.onProblem?.(path, describeFsError(err));
  }

  private async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield < YIELD_MS) return;
    await nextTurn();
    this.lastYield = performance.now();
  }
}

function addressOf(row: RowSnapshot): SidecarAddress | undefined {
  try {
    return sidecarAddress(row.content_uuid, row.kind, row.variant, row.format);
  } catch {
    return undefined; // a row this version cannot address (a newer kind): not reconcile's to change
  }
}
