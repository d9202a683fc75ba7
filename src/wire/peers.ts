/**
 * Pairing and paired devices (DESIGN §11, the app's Devices view): the shapes the daemon answers
 * and streams, read by the app in web/ as they are. Types only: the app's type check reads this file.
 */

/** `vss pair start`'s first answer: the code to type on the other device. */
export interface PairingCodeInfo {
  /** The 12 words, space-separated. */
  code: string;
  expires_at: string;
  /** The code with where this device can be reached (relays, other networks): `vss pair join INVITE` from anywhere. */
  invite: string;
}

/** A pairing that completed, from either side. */
export interface PairedInfo {
  device_id: string;
  name: string;
  library_id: string;
  /** The library the pairing joined or shared, on this device. */
  library_path: string;
}

/** `vss devices connect ADDR`: the paired device found there, and its address as remembered (with /p2p/<peer id>). */
export interface ConnectedDevice {
  device_id: string;
  name: string;
  addr: string;
}

/** One paired device (`vss devices list`). */
export interface PairedDeviceItem {
  /** A device running vss (a browser is `BrowserDeviceItem`). */
  kind: 'device';
  id: string;
  name: string;
  paired_at: string;
  online: boolean;
  last_seen: string | null;
  /** Libraries shared with it. */
  libraries: string[];
  /**
   * Why it is trusted (issue 46): `pairing`, paired with this device by hand (for at least one of
   * the libraries); `library`, a member of the libraries both are in, never paired here (joined
   * through another member).
   */
  via: 'pairing' | 'library';
  peer_id: string;
  /** How it is reached now: on this machine (loopback: another instance here), over a LAN, directly over another network, only through a relay, or not at all. */
  reached: 'local' | 'lan' | 'direct' | 'relay' | null;
  /** The connection's last measured round trip (ms), while connected. */
  rtt_ms: number | null;
  /** Why it no longer lets this device in, in words (this device was removed from every library they share, issue 57); null: it does. */
  refuses_this_device: string | null;
}

/** What a device may do in each library it shares with this one (`vss devices rights`, issue 46). */
export interface DeviceRights {
  id: string;
  name: string;
  libraries: Array<{
    library_id: string;
    library: string;
    /** `admit` (let others in, set what members may do), `remove`, `relay` (its connections carried by the library's relays). */
    rights: Array<'admit' | 'remove' | 'relay'>;
  }>;
}

/** A browser paired with this device by `vss ui pair` (`vss devices list`, issue 44). */
export interface BrowserDeviceItem {
  kind: 'browser';
  id: string;
  name: string;
  paired_at: string;
  /** Its last request (to the minute). */
  last_seen: string | null;
  /** Whether it made a request in the last two minutes. */
  online: boolean;
  /** Where it may reach this device: the home network, this machine's own address, or from anywhere through the relay box (paired away from home). */
  reached: 'lan' | 'local' | 'relay';
  /** What it may do. */
  may: { view: boolean; upload: boolean; organise: boolean; files: boolean };
  /** The folder its uploads land in (`DIR/YYYY/MM/NAME`), null when it has none. */
  uploads_to: string | null;
}

/** Every device `vss devices list` shows: paired devices, then paired browsers. */
export type DeviceItem = PairedDeviceItem | BrowserDeviceItem;
