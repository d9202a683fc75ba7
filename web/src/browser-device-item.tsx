import { memo, useState } from 'react';
import { ConfirmBox } from './confirm-box.js';
import { dateTime } from './format.js';
import type { BrowserDeviceItem } from './types.js';

/** One paired browser: its name, when it was last seen, what it may do, and Revoke (asked first). */
export const BrowserItem = memo(function BrowserItem({ device, onRevoke }: { device: BrowserDeviceItem; onRevoke: (d: BrowserDeviceItem) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const may = Object.entries(device.may).filter(([, on]) => on).map(([what]) => what).join(', ');
  return (
    <li className="device card">
      <div className="device-head">
        <span className={`dot ${device.online ? 'online' : ''}`} aria-hidden="true" />
        <h3>{device.name}</h3>
        <span className="muted device-reach">{device.online ? `online · ${device.reached === 'lan' ? 'on this network' : 'on this machine'}` : device.last_seen ? `last seen ${dateTime(device.last_seen)}` : 'not seen yet'}</span>
      </div>
      <p className="muted small">Browser · may {may} · paired {dateTime(device.paired_at)} · <span className="mono" title={device.id}>{device.id.slice(0, 8)}</span></p>
      <div className="actions">
        <button type="button" className="quiet danger" onClick={() => setConfirming(!confirming)} aria-label={`Revoke ${device.name}`}>Revoke</button>
      </div>
      {confirming && (
        <ConfirmBox label={`Revoke ${device.name}?`} action="Revoke" busy="Revoking…" run={() => onRevoke(device)} close={() => setConfirming(false)}>
          Revoke {device.name}? It is signed out at its next request and cannot sign in again without a new pairing code. Nothing of the library is changed.
        </ConfirmBox>
      )}
    </li>
  );
});
