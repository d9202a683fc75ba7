import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';
import type { StorageKind } from '../storage/port.js';

export type IndexModeValue = 'shallow' | 'content' | 'deep';
export type ScanState = 'pending' | 'scanning' | 'complete';

/** A `locations` row: a folder of one device that the library indexes. */
export interface LocationRecord {
  id: number;
  uuid: string;
  device_id: number;
  name: string;
  path: string;
  /** What holds its files (migration 042): its storage is built by this (storage/storages.ts), never by its path's form. */
  kind: StorageKind;
  index_mode: IndexModeValue;
  /** JSON array of gitignore-style rules. */
  ignore_rules: string;
  scan_state: ScanState;
  files: number;
  dirs: number;
  bytes: number;
  last_scan_started_at: number | null;
  last_scan_completed_at: number | null;
  created_at: number;
  /** A generation policy spec of its own (jobs/policy.ts), or null: the library's. */
  generation: string | null;
  watch_paused: 0 | 1;
  /** Its XMP sidecars kept written back (issue 59): 1 on, 0 off (the default). */
  xmp_write_back: 0 | 1;
  /** The volume it lies on (DESIGN §17), once known. */
  volume_id: number | null;
  /** Its folder relative to its volume's root ('' for the root itself): where it is when the drive mounts elsewhere. */
  volume_path: string | null;
  /** Its folder was reachable when last looked at (0 while its drive is unplugged). */
  online: 0 | 1;
  /** The change number up to which its XMP sidecars and Live Photo pairs were looked at (null: all again). */
  media_seq: number | null;
}

/** The `locations` table. */
export class LocationStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  byId(id: number): LocationRecord | undefined {
    return this.sql<[number], LocationRecord>('SELECT * FROM locations WHERE id = ?').get(id);
  }

  /** The locations of one device, by id. */
  ofDevice(deviceId: number): LocationRecord[] {
    return this.sql<[number], LocationRecord>('SELECT * FROM locations WHERE device_id = ? ORDER BY id').all(deviceId);
  }

  /** A location of DEVICEID. */
  ofDeviceById(id: number, deviceId: number): LocationRecord | undefined {
    return this.sql<[number, number], LocationRecord>('SELECT * FROM locations WHERE id = ? AND device_id = ?').get(id, deviceId);
  }

  insert(l: Pick<LocationRecord, 'uuid' | 'device_id' | 'name' | 'path' | 'kind' | 'index_mode' | 'ignore_rules' | 'generation'>, now = Date.now()): number {
    const r = this.sql<[string, number, string, string, StorageKind, IndexModeValue, string, string | null, number]>(
      'INSERT INTO locations (uuid, device_id, name, path, kind, index_mode, ignore_rules, generation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(l.uuid, l.device_id, l.name, l.path, l.kind, l.index_mode, l.ignore_rules, l.generation, now);
    return Number(r.lastInsertRowid);
  }

  delete(id: number): void {
    this.sql<[number]>('DELETE FROM locations WHERE id = ?').run(id);
  }

  /** Its mode; the finders look at every folder again at its next deep scan. */
  setMode(id: number, mode: IndexModeValue): void {
    this.sql<[IndexModeValue, number]>('UPDATE locations SET index_mode = ?, media_seq = NULL WHERE id = ?').run(mode, id);
  }

  /** Where the location's finders stand: the change number they looked up to (null: every folder again). */
  setMediaSeq(id: number, seq: number | null): void {
    this.sql<[number | null, number]>('UPDATE locations SET media_seq = ? WHERE id = ?').run(seq, id);
  }

  /** Whether location ID keeps its XMP sidecars written back (migration 046). */
  setXmpWriteBack(id: number, on: boolean): void {
    this.sql<[number, number]>('UPDATE locations SET xmp_write_back = ? WHERE id = ?').run(on ? 1 : 0, id);
  }

  /** The locations of device DEVICEID that keep their XMP sidecars written back. */
  xmpWriteBackOf(deviceId: number): number[] {
    return this.sql<[number], number>('SELECT id FROM locations WHERE device_id = ? AND xmp_write_back = 1 ORDER BY id').pluck().all(deviceId);
  }

  setGeneration(id: number, spec: string | null): void {
    this.sql<[string | null, number]>('UPDATE locations SET generation = ? WHERE id = ?').run(spec, id);
  }

  setWatchPaused(id: number, paused: boolean): void {
    this.sql<[number, number]>('UPDATE locations SET watch_paused = ? WHERE id = ?').run(paused ? 1 : 0, id);
  }

  /** A scan of the location began at NOW. */
  markScanning(id: number, now: number): void {
    this.sql<[number, number]>("UPDATE locations SET scan_state = 'scanning', last_scan_started_at = ? WHERE id = ?").run(now, id);
  }

  /** A scan ended at NOW, leaving the location in STATE. */
  markScanned(id: number, state: ScanState, now: number): void {
    this.sql<[ScanState, number, number]>('UPDATE locations SET scan_state = ?, last_scan_completed_at = ? WHERE id = ?').run(state, now, id);
  }

  setTotals(id: number, t: Pick<LocationRecord, 'files' | 'dirs' | 'bytes'>): void {
    this.sql<[number, number, number, number]>('UPDATE locations SET files = ?, dirs = ?, bytes = ? WHERE id = ?').run(t.files, t.dirs, t.bytes, id);
  }

  // --- added for sidecars (h-sidecars) --------------------------------------------------------

  /** The location's folder totals no longer hold (a file left it outside a scan): its next scan aggregates again. */
  markScanPending(id: number): void {
    this.sql<[number]>("UPDATE locations SET scan_state = 'pending' WHERE id = ?").run(id);
  }


  /** The location lies on volume VOLUMEID at VOLUMEPATH (relative to the volume's root). */
  setVolume(id: number, volumeId: number, volumePath: string): void {
    this.sql<[number, string, number]>('UPDATE locations SET volume_id = ?, volume_path = ? WHERE id = ?').run(volumeId, volumePath, id);
  }

  /** Whether the location's folder is reachable; true when this changed it. */
  setOnline(id: number, online: boolean): boolean {
    return this.sql<[number, number, number]>('UPDATE locations SET online = ? WHERE id = ? AND online != ?').run(online ? 1 : 0, id, online ? 1 : 0).changes > 0;
  }

  /** The location's folder is now PATH (its drive mounted elsewhere). */
  setPath(id: number, path: string): void {
    this.sql<[string, number]>('UPDATE locations SET path = ? WHERE id = ?').run(path, id);
  }
}
