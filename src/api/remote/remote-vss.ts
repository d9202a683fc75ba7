import type {
  AddedModel, CpuBudgetInfo, DeviceInfo, EventFollow, StreamedEvent, LibraryClient, LibraryRef, LibrarySummary, ModelInfo, OpenLibraryOptions, VssClient,
  PairedDeviceItem, PairedInfo, PairingCodeInfo, SyncSettings, SyncSettingsPatch,
} from '../index.js';
import { resolve } from 'node:path';
import { DaemonHttp, type DaemonAddress } from './daemon-http.js';
import { RemoteLibrary } from './remote-library.js';
import { followEvents } from './follow-events.js';

/**
 * The core API of the daemon that runs for a data dir, over its Unix socket (DESIGN §11: with a
 * daemon running, every command goes through it, with the same output and exit codes).
 */
export class RemoteVss implements VssClient {
  readonly viaDaemon = true;
  readonly http: DaemonHttp;
  readonly libraries: VssClient['libraries'];
  readonly models: VssClient['models'];
  readonly deviceSettings: VssClient['deviceSettings'];
  readonly pairing: VssClient['pairing'];
  readonly devices: VssClient['devices'];

  constructor(readonly dataDir: string, address: DaemonAddress) {
    const http = (this.http = new DaemonHttp(address));
    this.libraries = {
      create: (name: string, opts: { dir?: string } = {}) => http.call<LibraryRef>('librariesCreate', { body: { name, dir: opts.dir === undefined ? undefined : resolve(opts.dir) } }),
      list: () => http.call<LibrarySummary[]>('librariesList'),
      use: (path: string) => http.call<LibraryRef>('librariesUse', { body: { path: resolve(path) } }),
      current: () => http.call<LibraryRef>('librariesCurrent'),
    };
    this.deviceSettings = {
      cpuBudget: () => http.call<CpuBudgetInfo>('cpuBudgetGet'),
      setCpuBudget: (cores: number | 'default') => http.call<CpuBudgetInfo>('cpuBudgetSet', { body: { cores } }),
      sync: () => http.call<SyncSettings>('syncSettingsGet'),
      setSync: (patch: SyncSettingsPatch | 'default') => http.call<SyncSettings>('syncSettingsSet', { body: { patch } }),
    };
    this.models = {
      list: () => http.call<ModelInfo[]>('modelsList'),
      add: (engine: string, path: string, opts: { id?: string; library?: string } = {}) => http.stream<AddedModel>('modelsAdd', { body: { engine, path: resolve(path), ...opts, library: libraryOf(opts.library) } }, () => undefined),
      remove: (engine: string, id?: string) => http.call<{ removed: number }>('modelsRemove', { body: { engine, id } }),
    };
    this.pairing = {
      start: (opts: { library?: string }, onCode: (code: PairingCodeInfo) => void) =>
        http.stream<PairedInfo>('pairingStart', { body: { library: libraryOf(opts.library) } }, (line) => {
          if ('event' in line && line.event === 'pairing:code') onCode(line.payload as PairingCodeInfo);
        }),
      join: (words: string[], opts: { peer?: string } = {}) => http.call<PairedInfo>('pairingJoin', { body: { words, peer: opts.peer } }),
    };
    this.devices = {
      list: () => http.call<PairedDeviceItem[]>('devicesList'),
      unpair: (id: string) => http.call<{ id: string; name: string }>('devicesUnpair', { params: { id } }),
    };
  }

  device(): Promise<DeviceInfo> {
    return this.http.call<DeviceInfo>('device');
  }

  followEvents(opts: { library?: string; follow?: boolean; recent?: boolean }, onEvent: (e: StreamedEvent) => void): EventFollow {
    return followEvents(this.http, opts, onEvent);
  }

  /** The daemon holds its libraries open: this only finds the one OPTS names. */
  async withLibrary<T>(opts: OpenLibraryOptions, fn: (lib: LibraryClient) => Promise<T> | T): Promise<T> {
    const path = libraryOf(opts.path);
    const ref = await this.http.call<LibraryRef>('librariesResolve', { body: path !== undefined ? { path } : {} });
    return fn(new RemoteLibrary(this.http, ref.id, ref.name, ref.path));
  }

  close(): void {
    this.http.close();
  }
}

/** The library a command names (`--library`, else this shell's VSS_LIBRARY), absolute: the daemon's working directory is not ours. */
function libraryOf(path: string | undefined): string | undefined {
  const p = path ?? process.env.VSS_LIBRARY;
  return p === undefined || p === '' ? undefined : resolve(p);
}
