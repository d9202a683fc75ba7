import { memo } from 'react';
import { bytes, count, dateTime } from './format.js';
import { IndexProgressBar } from './index-progress.js';
import type { IndexProgress, LocationInfo } from './types.js';

/** One folder: where it is, what it holds, its scan (running, or the last one's result), and its buttons. */
export const LocationItem = memo(function LocationItem({ loc, scan, done, onRescan, onPause }: {
  loc: LocationInfo;
  scan: IndexProgress | null;
  /** '' while a rescan asked here runs; its summary once finished. */
  done: string | null;
  onRescan: (loc: LocationInfo) => void;
  onPause: (loc: LocationInfo, action: 'pause' | 'resume') => void;
}) {
  const scanning = scan !== null || done === '';
  return (
    <li className="location card">
      <div className="location-head">
        <h3>{loc.name}</h3>
        <span className="tag">{loc.mode}</span>
        {loc.paused && <span className="status status-paused">paused</span>}
        {!loc.online && <span className="status status-missing status-offline" title="Its drive is unplugged or its folder is absent: its files, contents and sidecars are kept and stay browsable; it is rescanned when it is back.">offline</span>}
      </div>
      <p className="path">{loc.path}</p>
      <p className="muted">
        {count(loc.files)} files · {count(loc.dirs)} folders · {bytes(loc.bytes)} · {loc.scan_state === 'complete' ? `scanned ${dateTime(loc.last_scan_completed_at)}` : loc.scan_state}
      </p>
      {scan && <IndexProgressBar progress={scan} label={`Scan of ${loc.name}`} />}
      {done && <p className="ok" role="status">Rescanned: {done}</p>}
      <div className="actions">
        <button type="button" onClick={() => onRescan(loc)} disabled={scanning || loc.paused || !loc.online} title={loc.online ? undefined : 'offline: plug its drive in to rescan it'}>{scanning ? 'Scanning…' : 'Rescan'}</button>
        {loc.paused
          ? <button type="button" onClick={() => onPause(loc, 'resume')}>Resume</button>
          : <button type="button" onClick={() => onPause(loc, 'pause')}>Pause</button>}
      </div>
    </li>
  );
});
