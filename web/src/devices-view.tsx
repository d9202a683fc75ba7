import { useCallback } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { DeviceItem } from './device-item.js';
import { reportError } from './errors.js';
import { JoinForm } from './join-form.js';
import { Page } from './page.js';
import { PairingPanel } from './pairing-panel.js';
import { useLoad } from './use-load.js';
import type { PairedDeviceItem } from './types.js';

/** `#/devices`: the paired devices; pair another (show a code, or enter the other's), unpair one. */
export function DevicesView() {
  const [list, reload, update] = useLoad((signal) => get<PairedDeviceItem[]>(API.devices(), signal), []);
  const unpair = useCallback(async (d: PairedDeviceItem) => {
    try {
      await api('DELETE', API.device(d.id));
      update((l) => l.filter((x) => x.id !== d.id));
    } catch (err) {
      reportError(err);
    }
  }, [update]);
  return (
    <Page label="Devices">
      <h1>Devices</h1>
      <div className="pairing">
        <PairingPanel onPaired={reload} />
        <JoinForm onJoined={reload} />
      </div>
      <section aria-label="Paired devices">
        <h2>Paired devices</h2>
        {list.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
        {list.state === 'error' && <p>{list.message}</p>}
        {list.state === 'ready' && (list.value.length === 0 ? <p className="muted">No device is paired with this one yet. To pair one: choose “Pair a new device” here and type the words it shows into the other device's “Join another device” (or run <code>vss pair join WORDS…</code> there); both must run vss on the same network.</p> : (
          <ul className="device-list">
            {list.value.map((d) => <DeviceItem key={d.id} device={d} onUnpair={unpair} />)}
          </ul>
        ))}
      </section>
    </Page>
  );
}
