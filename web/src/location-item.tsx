import { memo, useState } from 'react';
import { placeKind } from '../../src/core/address.js';
import { bytes, counted, dateTime } from './format.js';
import { ConfirmBox } from './confirm-box.js';
import { IndexProgressBar } from './index-progress.js';
import { useMay } from './may.js';
import type { IndexProgress, LocationInfo } from './types.js';

/**
 * One folder: where it is, the drive it lies on and its free space, what it holds, why it is
 * offline when it is, its scan (running, or the last one's result), and its buttons. Remove asks
 * first, and says the files on disk stay.
 */
export const LocationItem = memo(function LocationItem({ loc, scan, done, onRescan, onPause, onRemove }: {
  loc: LocationInfo;
  scan: IndexProgress | null;
  /** '' while a rescan asked here runs; its summary once finished. */
  done: string | null;
  onRescan: (loc: LocationInfo) => void;
  onPause: (loc: LocationInfo, action: 'pause' | 'resume') => void;
  /** Resolves once the daemon answered (removed, or the error reported). */
  onRemove: (loc: LocationInfo) => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const may = useMay();
  const scanning = scan !== null || done === '';
  return (
    <li className="location card" aria-label={loc.name}>
      <div className="location-head">
        <h3>{loc.name}</h3>
        <span className="tag">{loc.mode}</span>
        {loc.paused && <span className="status status-paused">paused</span>}
        {!loc.online && <span className="status status-missing status-offline" title="Its files, contents and sidecars are kept and stay browsable; it is rescanned when it is back.">offline</span>}
      </div>
      <p className="path">{loc.path}</p>
      {!loc.online && <p className="location-offline" role="note">Offline: {loc.offline_reason ?? 'its folder cannot be reached now'}.</p>}
      <p className="muted location-drive">{driveText(loc)}</p>
      <p className="muted">
        {counted(loc.files, 'file')} · {counted(loc.dirs, 'folder')} · {bytes(loc.bytes)} · {loc.scan_state === 'complete' ? `scanned ${dateTime(loc.last_scan_completed_at)}` : loc.scan_state}
      </p>
      {scan && <IndexProgressBar progress={scan} label={`Scan of ${loc.name}`} />}
      {done && <p className="ok" role="status">Rescanned: {done}</p>}
      {/* What this session may do to it (a paired browser: none of these, they are the computer's). */}
      {(may('locationsRescan') || may('locationsPause') || may('locationsRemove')) && <div className="actions">
        {may('locationsRescan') && <button type="button" onClick={() => onRescan(loc)} disabled={scanning || loc.paused || !loc.online} title={loc.online ? undefined : 'offline: it is rescanned when it is back'}>{scanning ? 'Scanning…' : 'Rescan'}</button>}
        {loc.paused
          ? may('locationsResume') && <button type="button" onClick={() => onPause(loc, 'resume')}>Resume</button>
          : may('locationsPause') && <button type="button" onClick={() => onPause(loc, 'pause')}>Pause</button>}
        {may('locationsRemove') && <button type="button" className="quiet danger" aria-label={`Remove ${loc.name}`} onClick={() => setConfirming(!confirming)}>Remove</button>}
      </div>}
      {confirming && (
        <ConfirmBox label={`Remove ${loc.name}?`} action="Remove from library" busy="Removing…" run={() => onRemove(loc)} close={() => setConfirming(false)}>
          Remove the folder {loc.name} from the library? vss forgets its index, and the sidecars of files found nowhere else.
          {' '}<strong>The files on disk are not touched</strong>: {loc.path} stays as it is, and can be added again.
        </ConfirmBox>
      )}
    </li>
  );
});

/** "On drive “Photos SSD” · 120 GB free of 500 GB"; a bucket has no free space to tell. */
function driveText(loc: LocationInfo): string {
  if (loc.kind === 'bucket') {
    // An unnamed bucket goes by its URL, which the path above shows already.
    return loc.volume_name === null || placeKind(loc.volume_name) === 'bucket' ? 'In a bucket' : `In bucket “${loc.volume_name}”`;
  }
  const drive = loc.volume_name === null ? 'Drive not known yet' : `On drive “${loc.volume_name}”`;
  if (loc.free_bytes === null) return drive;
  return `${drive} · ${bytes(loc.free_bytes)} free${loc.total_bytes !== null ? ` of ${bytes(loc.total_bytes)}` : ''}`;
}
