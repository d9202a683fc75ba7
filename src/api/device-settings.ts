import { readCpuBudget, writeCpuBudget, type CpuBudget } from '../jobs/cpu-budget.js';
import { readSyncSettings, writeSyncSettings, type SyncSettings, type SyncSettingsPatch } from '../sync/sync-settings.js';
import { ensureInbox, readInbox, writeInbox, type InboxSetting } from '../sync/drop/inbox.js';
import { readKeptListen, readNetworkSwitch, readRelayRate, writeKeptListen, writeNetworkSwitch, writeRelayRate } from '../sync/net/network-switches.js';
import { readPeerForce, writePeerForce } from '../sync/drop/peer-force.js';
import { changeBrowsable, readBrowsable } from '../sync/browse/browsable.js';
import { checkListenAddresses } from './peers.js';

export type { InboxSetting };

export type { SyncSettings, SyncSettingsPatch };

export interface CpuBudgetInfo {
  /** Cores background generation may use: jobs at once (besides one for a user's request) and threads per tool. */
  cpu_budget: number;
  /** Whether this is the built-in default (every core but one) rather than this device's own setting. */
  default: boolean;
  /** Cores this machine has. */
  cores: number;
}

/** This device's own settings (kept in the data dir, not in a library): how much of the machine generation may use. */
export class DeviceSettingsApi {
  constructor(private readonly dataDir: string) {}

  cpuBudget(): CpuBudgetInfo {
    return info(readCpuBudget(this.dataDir));
  }

  /** Set the CPU budget to CORES (1 to this machine's cores), or back to the default with "default". A running daemon applies it at once. */
  setCpuBudget(cores: number | 'default'): CpuBudgetInfo {
    return info(writeCpuBudget(this.dataDir, cores));
  }

  /** How this device shares sidecars with paired ones: prefer fetch or generate, what to prefetch, bandwidth, disk budget. */
  sync(): SyncSettings {
    return readSyncSettings(this.dataDir);
  }

  /** Change some sync settings (the rest kept), or all back to the defaults. A running daemon reads them at its next use. */
  setSync(patch: SyncSettingsPatch | 'default'): SyncSettings {
    return writeSyncSettings(this.dataDir, patch);
  }

  /** Where files paired devices send land (made if missing): `<Downloads>/vss-inbox` unless set. */
  inbox(): InboxSetting {
    const s = readInbox(this.dataDir);
    ensureInbox(s.dir);
    return s;
  }

  /** Whether this device relays for the devices it is paired with (`daemon start --relay`). */
  relay(): boolean {
    return readNetworkSwitch(this.dataDir, 'relay');
  }

  /** Relay for paired devices, or stop; kept across restarts, taken by the daemon at its next start. */
  setRelay(on: boolean): boolean {
    return writeNetworkSwitch(this.dataDir, 'relay', on);
  }

  /** Bytes a second the relay carries for all circuits together, or null for as much as the link takes (`daemon start --relay-rate`). */
  relayRate(): number | null {
    return readRelayRate(this.dataDir);
  }

  /** Bound the relay's bytes a second (at least 64 KiB), or lift the bound with null; taken by the daemon at its next start. */
  setRelayRate(bytesPerSecond: number | null): number | null {
    return writeRelayRate(this.dataDir, bytesPerSecond);
  }

  /** The P2P addresses the daemon listens on when a start names none (`daemon start --listen`); [] is the default (every interface, any free port). */
  listen(): string[] {
    return readKeptListen(this.dataDir);
  }

  /** Keep ADDRS as where the daemon listens (replacing what was kept), or go back to the default with "default"; taken by the daemon at its next start. */
  async setListen(addrs: readonly string[] | 'default'): Promise<string[]> {
    if (addrs !== 'default') await checkListenAddresses(addrs);
    return writeKeptListen(this.dataDir, addrs === 'default' ? [] : addrs);
  }

  /** Whether the daemon maps its port on the router (`daemon start --upnp`). */
  upnp(): boolean {
    return readNetworkSwitch(this.dataDir, 'upnp');
  }

  /** Map the port with UPnP, or stop; kept across restarts, taken by the daemon at its next start. */
  setUpnp(on: boolean): boolean {
    return writeNetworkSwitch(this.dataDir, 'upnp', on);
  }

  /**
   * Whether a paired device's `--force` gets past this device's Guardian when it replaces files
   * of this device's locations (`files copy … DEVICE:/… --on-conflict replace --force`). Off by
   * default: this device's Guardian has the last word over its own files.
   */
  peerForce(): boolean {
    return readPeerForce(this.dataDir);
  }

  /** Let paired devices force a replace past this device's Guardian, or stop; a running daemon reads it at each place. */
  setPeerForce(on: boolean): boolean {
    return writePeerForce(this.dataDir, on);
  }

  /** The folders of this device paired devices may browse and read from though in no location (issue 59; none unless named). */
  browsable(): string[] {
    return readBrowsable(this.dataDir);
  }

  /** Let paired devices browse folder PATH (read-only, nothing outside it), or no longer (ON false); the folders now. */
  setBrowsable(path: string, on: boolean): string[] {
    return changeBrowsable(this.dataDir, path, on);
  }

  /** Set the inbox to DIR (an absolute folder, made if missing), or back to the default with "default". A running daemon uses it for the next file. */
  setInbox(dir: string): InboxSetting {
    return writeInbox(this.dataDir, dir);
  }
}

function info(b: CpuBudget): CpuBudgetInfo {
  return { cpu_budget: b.cores, default: b.isDefault, cores: b.available };
}
