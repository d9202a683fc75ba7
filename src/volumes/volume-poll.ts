import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { readMountTable } from './detect.js';
import { settleLocations } from './location-online.js';

const log = childLog('volumes');

/** How often the mount table is read: neither inotify nor fs.watchFile sees it change (RESEARCH-21), so it is polled. */
export const VOLUME_POLL_MS = 1500;

export interface VolumePoll {
  /** Look now (after an I/O error that smells of an unplugged drive). */
  check(): void;
  close(): void;
}

/**
 * Follow this device's mounts (the daemon): a drive plugged in or pulled out is told as
 * `volume:appeared` / `volume:gone`, and each location it holds as `locations:changed` (`online`,
 * `offline`), after its record follows the drive (a new mount point: its path and grant). A read of
 * an unchanged mount table costs a string compare.
 */
export function pollVolumes(lib: Library, opts: { intervalMs?: number } = {}): VolumePoll {
  let last: string | undefined;
  let mounted = new Map<string, { volumeId: number; mountPoint: string }>();
  let closed = false;
  const check = (): void => {
    if (closed || !lib.db.open) return;
    const table = readMountTable();
    if (table === last) return;
    try {
      const { now, changed } = settleLocations(lib, table);
      const first = last === undefined;
      last = table;
      const next = new Map<string, { volumeId: number; mountPoint: string }>();
      for (const v of now.volumes) {
        const row = now.rows.get(v.fingerprint);
        if (row) next.set(v.fingerprint, { volumeId: row.id, mountPoint: v.mountPoint });
      }
      // The first look only learns what is there: nothing appeared.
      if (!first) {
        for (const [fp, v] of mounted) if (next.get(fp)?.mountPoint !== v.mountPoint) lib.events.emit('volume:gone', { fingerprint: fp, ...v });
        for (const [fp, v] of next) if (mounted.get(fp)?.mountPoint !== v.mountPoint) lib.events.emit('volume:appeared', { fingerprint: fp, ...v });
      }
      mounted = next;
      for (const c of changed) {
        log.info({ location: c.id, online: c.place.online, path: c.place.path, from: c.movedFrom, reason: c.place.online ? undefined : c.place.reason }, c.place.online ? 'location online' : 'location offline');
        lib.events.emit('locations:changed', { locationId: c.id, change: c.place.online ? 'online' : 'offline' });
      }
    } catch (err) {
      log.warn({ err }, 'could not read this device\'s volumes');
    }
  };
  check();
  const timer = setInterval(check, opts.intervalMs ?? VOLUME_POLL_MS);
  timer.unref();
  return {
    check,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
