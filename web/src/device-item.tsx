import { memo, useState } from 'react';
import { dateTime } from './format.js';
import { ConfirmBox } from './confirm-box.js';
import { DeviceRightsPanel } from './device-rights.js';
import type { PairedDeviceItem } from './types.js';

/** One paired device: its name, whether it is reachable now, when it was last seen, and Remove (asked first: it leaves the library for every member). */
export const DeviceItem = memo(function DeviceItem({ device, onUnpair }: { device: PairedDeviceItem; onUnpair: (d: PairedDeviceItem) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [rights, setRights] = useState(false);
  return (
    <li className="device card">
      <div className="device-head">
        <span className={`dot ${device.online ? 'online' : ''}`} aria-hidden="true" />
        <h3>{device.name}</h3>
        <span className="muted device-reach">{device.online ? reachText(device) : device.last_seen ? `last seen ${dateTime(device.last_seen)}` : 'not seen yet'}</span>
      </div>
      {device.refuses_this_device !== null && <p className="small device-refused" role="status">It no longer lets this device in: {device.refuses_this_device}. Pair again with a device that may admit to rejoin.</p>}
      <p className="muted small">{device.via === 'library' ? 'Member of the library since' : 'Paired'} {dateTime(device.paired_at)} · <span className="mono" title={device.id}>{device.id.slice(0, 8)}</span></p>
      <div className="actions">
        <button type="button" className="quiet" onClick={() => setRights(!rights)} aria-expanded={rights} aria-label={`What ${device.name} may do`}>Rights</button>
        <button type="button" className="quiet danger" onClick={() => setConfirming(!confirming)} aria-label={`Remove ${device.name}`}>Remove</button>
      </div>
      {rights && <DeviceRightsPanel id={device.id} name={device.name} />}
      {confirming && (
        <ConfirmBox label={`Remove ${device.name}?`} action="Remove" busy="Removing…" run={() => onUnpair(device)} close={() => setConfirming(false)}>
          Remove {device.name} from the library? Every device of the library stops syncing with it and refuses it, and this one
          forgets what {device.name} said it holds (its folders and files leave this library's view). <strong>No file is
          deleted</strong> on any device; pair it again to let it back in.
        </ConfirmBox>
      )}
    </li>
  );
});

/** How a connected device is reached, as a person reads it: "online · through your relay · 42 ms". */
function reachText(d: PairedDeviceItem): string {
  const how = d.reached === 'relay' ? 'through your relay' : d.reached === 'lan' ? 'on this network' : d.reached === 'local' ? 'on this machine' : 'direct';
  return ['online', how, d.rtt_ms !== null ? `${d.rtt_ms} ms` : undefined].filter(Boolean).join(' · ');
}
