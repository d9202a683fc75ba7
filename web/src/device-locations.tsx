import { memo } from 'react';
import { bytes, counted, dateTime } from './format.js';
import type { DeviceLocations } from './types.js';

/**
 * Another device's folders, under its name, as that device last said: connected now (its figures
 * current) or not (as last heard). A folder its owner could not reach says so.
 */
export const DeviceLocationsItem = memo(function DeviceLocationsItem({ device }: { device: DeviceLocations }) {
  return (
    <li className="device-locations" aria-label={device.name}>
      <div className="device-head">
        <span className={`dot ${device.connected ? 'online' : ''}`} aria-hidden="true" />
        <h3>{device.name}</h3>
        <span className="muted device-reach">{device.connected ? 'connected' : `not connected${device.last_heard ? ` · last heard ${dateTime(device.last_heard)}` : ''}`}</span>
      </div>
      {device.locations.length === 0 ? <p className="muted">No folders on this device{device.connected ? '' : ' as last heard'}.</p> : (
        <ul className="location-list">
          {device.locations.map((l) => (
            <li key={l.id} className="location card" aria-label={`${l.name} on ${device.name}`}>
              <div className="location-head">
                <h4>{l.name}</h4>
                <span className="tag">{l.mode}</span>
                {!l.online && <span className="status status-missing status-offline" title={`${device.name} could not reach this folder when it last said: an unplugged drive or a missing folder.`}>offline on {device.name}</span>}
              </div>
              <p className="path">{l.path}</p>
              <p className="muted">{counted(l.files, 'file')} · {counted(l.dirs, 'folder')} · {bytes(l.bytes)}{device.connected ? '' : ' · as last heard'}</p>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
});
