import type { DeviceInfo, EventFollow, StreamedEvent, LibraryClient, LibraryRef, OpenLibraryOptions, PairingCodeInfo, VssClient } from '../index.js';
import { resolve } from 'node:path';
import { DaemonHttp, type DaemonAddress } from './daemon-http.js';
import { RemoteLibrary } from './remote-library.js';
import { followEvents } from './follow-events.js';
import { remoteFacades } from './remote-calls.js';

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
  private readonly served: Served;

  constructor(readonly dataDir: string, address: DaemonAddress) {
    const http = (this.http = new DaemonHttp(address));
    const served = (this.served = remoteFacades(http, 'vss', {}) as unknown as Served);
    this.libraries = served.libraries;
    this.deviceSettings = served.deviceSettings;
    this.devices = served.devices;
    this.models = {
      ...served.models,
      // A model is added to the library the command names, or this shell's VSS_LIBRARY.
      add: (engine: string, path: string, opts: { id?: string; library?: string } = {}) => served.models.add(engine, path, { ...opts, library: libraryOf(opts.library) }),
    };
    this.pairing = {
      start: (opts: { library?: string; signal?: AbortSignal }, onCode: (code: PairingCodeInfo) => void) => served.pairing.start({ ...opts, library: libraryOf(opts.library) }, onCode),
      join: (words: string[], opts: { peer?: string; invite?: string } = {}) => served.pairing.join(words, opts),
    };
  }

  device(): Promise<DeviceInfo> {
    return Promise.resolve(this.served.device());
  }

  renameDevice(name: string): Promise<DeviceInfo> {
    return Promise.resolve(this.served.renameDevice(name));
  }

  followEvents(opts: { library?: string; follow?: boolean; recent?: boolean }, onEvent: (e: StreamedEvent) => void): EventFollow {
    return followEvents(this.http, opts, onEvent);
  }

  /** The daemon holds its libraries open: this only finds the one OPTS names. */
  async withLibrary<T>(opts: OpenLibraryOptions, fn: (lib: LibraryClient) => Promise<T> | T): Promise<T> {
    const ref = await this.served.libraries.resolve(libraryOf(opts.path));
    return fn(new RemoteLibrary(this.http, ref.id, ref.name, ref.path));
  }

  close(): void {
    this.http.close();
  }
}

/** The device-level calls the daemon serves, as made from the operation table. */
type Served = Pick<VssClient, 'libraries' | 'deviceSettings' | 'devices' | 'models' | 'pairing'> & {
  device(): Promise<DeviceInfo>;
  renameDevice(name: string): Promise<DeviceInfo>;
  /** The library at PATH (default: the current one), opened in the daemon. */
  libraries: { resolve(path?: string): Promise<LibraryRef> };
};

/** The library a command names (`--library`, else this shell's VSS_LIBRARY), absolute: the daemon's working directory is not ours. */
function libraryOf(path: string | undefined): string | undefined {
  const p = path ?? process.env.VSS_LIBRARY;
  return p === undefined || p === '' ? undefined : resolve(p);
}
