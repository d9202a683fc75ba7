import { memo } from 'react';
import { dateTime } from './format.js';
import type { PairedDeviceItem } from './types.js';

/** One paired device: its name, whether it is reachable now, when it was last seen, and Unpair. */
export const DeviceItem = memo(function DeviceItem({ device, onUnpair }: { device: PairedDeviceItem; onUnpair: (d: PairedDeviceItem) => void }) {
  return (
    <li className="device card">
      <div className="device-head">
        <span className={`dot ${device.online ? 'online' : ''}`} aria-hidden="true" />
        <h3>{device.name}</h3>
        <span className="muted device-reach">{device.online ? reachText(device) : device.last_seen ? `last seen ${dateTime(device.last_seen)}` : 'not seen yet'}</span>
      </div>
      <p className="muted small">Paired {dateTime(device.paired_at)} · <span className="mono" title={device.id}>{device.id.slice(0, 8)}</span></p>
      <div className="actions">
        <button type="button" onClick={() => onUnpair(device)} aria-label={`Unpair ${device.name}`}>Unpair</button>
      </div>
    </li>
  );
});

/** How a connected device is reached, as a person reads it: "online · through your relay · 42 ms". */
function reachText(d: PairedDeviceItem): string {
  const how = d.reached === 'relay' ? 'through your relay' : d.reached === 'lan' ? 'on this network' : d.reached === 'local' ? 'on this machine' : 'direct';
  return ['online', how, d.rtt_ms !== null ? `${d.rtt_ms} ms` : undefined].filter(Boolean).join(' · ');
}
