import { useCallback } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { DeviceItem } from './device-item.js';
import { reportError } from './errors.js';
import { JoinForm } from './join-form.js';
import { Page } from './page.js';
import { PairingPanel } from './pairing-panel.js';
import { useLoad } from './use-load.js';
import { BrowserItem } from './browser-device-item.js';
import { BrowserPairPanel } from './browser-pair-panel.js';
import { useMe } from './me-context.js';
import type { AnyDeviceItem, BrowserDeviceItem, PairedDeviceItem } from './types.js';

/** `#/devices`: the paired devices and browsers; pair another (show a code, or enter the other's), add a phone, unpair or revoke one. */
export function DevicesView() {
  const me = useMe();
  const [all, reload, update] = useLoad((signal) => get<AnyDeviceItem[]>(API.devices(), signal), []);
  const list = all.state === 'ready' ? { ...all, value: all.value.filter((d): d is PairedDeviceItem => d.kind === 'device') } : all;
  const browsers = all.state === 'ready' ? all.value.filter((d): d is BrowserDeviceItem => d.kind === 'browser') : [];
  const revoke = useCallback(async (d: BrowserDeviceItem) => {
    try {
      await api('POST', API.deviceRevoke(d.id));
      update((l) => l.filter((x) => x.id !== d.id));
    } catch (err) {
      reportError(err);
    }
  }, [update]);
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
        {!me.view_only && <BrowserPairPanel onPaired={reload} />}
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
      {browsers.length > 0 && (
        <section aria-label="Paired browsers">
          <h2>Paired browsers</h2>
          <ul className="device-list">
            {browsers.map((d) => <BrowserItem key={d.id} device={d} onRevoke={revoke} />)}
          </ul>
        </section>
      )}
    </Page>
  );
}
