import { renameDevice, type Device } from '../device/identity.js';
import { Installation } from '../library/installation.js';
import { DeviceSettingsApi } from './device-settings.js';
import { LibrariesApi } from './libraries.js';
import { LibraryApi, type LibraryAccess } from './library-api.js';
import { ModelsApi } from './models.js';
import type { DeviceInfo } from './types.js';
import type { EventFollow, VssClient } from './client.js';
import { VssError } from '../core/errors.js';
import { DevicesApi, pairingNeedsDaemon } from './devices.js';
import { DEFAULT_HASH_THRESHOLD } from '../library/config.js';
import type { FolderListing } from '../wire/browse-folder.js';

export interface VssOptions {
  /** --data-dir; falls back to VSS_DATA_DIR, then the platform's app-data dir. */
  dataDir?: string;
}

export interface OpenLibraryOptions {
  /** A library folder; default VSS_LIBRARY, then the current library. */
  path?: string;
  /**
   * `read`: share the library with a running writer (lists, presence, path, job actions);
   * `write` (default): hold it alone (scans, reconcile, jobs run, conversions).
   */
  access?: LibraryAccess;
}

/**
 * The core API (DESIGN §5, §11, §12): the one thing the CLI, the daemon's handlers and the web
 * UI call. One facade per concern; every result is a plain JSON-ready object. Engines (sharp,
 * tesseract.js, pdfjs, onnxruntime, whisper, ffmpeg) load only when a job that needs them runs.
 *
 *   const vss = new Vss();
 *   const lib = vss.openLibrary({ access: 'read' });
 *   try { for (const c of lib.content.iterate({ kind: 'image' })) console.log(c.paths[0]); }
 *   finally { lib.close(); }
 */
export class Vss implements VssClient {
  private readonly installation: Installation;
  /** In this process: the CLI's fallback when no daemon runs for the data dir. */
  readonly viaDaemon = false;
  readonly libraries: LibrariesApi;
  readonly models: ModelsApi;
  /** This device's own settings (the CPU budget of generation). */
  readonly deviceSettings: DeviceSettingsApi;
  /** Paired devices (the daemon's own answer adds which are online). */
  readonly devices: DevicesApi;
  /** Pairing runs in the daemon: in-process it says so. */
  readonly pairing = pairingNeedsDaemon;

  constructor(opts: VssOptions = {}) {
    this.installation = new Installation(opts);
    this.libraries = new LibrariesApi(this.installation);
    this.models = new ModelsApi(this.installation, (o) => this.openLibrary(o));
    this.deviceSettings = new DeviceSettingsApi(this.installation.dataDir);
    this.devices = new DevicesApi(this.installation.dataDir, (id) => {
      const known = this.libraries.list().find((l) => l.id === id && l.available);
      return known ? this.openLibrary({ path: known.path }) : undefined;
    });
  }

  get dataDir(): string {
    return this.installation.dataDir;
  }

  /** This device's identity (created on first use). */
  device(): DeviceInfo {
    const d = this.installation.device;
    return { id: d.uuid, name: d.name, public_key: d.publicKey, created_at: d.createdAt };
  }

  /**
   * This device's identity as this process holds it: a rename changes this very object, so a part
   * that keeps it (the daemon's pairing and sync) says the new name from then on.
   */
  get identity(): Device {
    return this.installation.device;
  }

  /**
   * Give this device a new name (DESIGN §15): the one paired devices show and use in
   * `DEVICE:/path` addresses. A running daemon tells its paired devices within seconds.
   */
  renameDevice(name: string): DeviceInfo {
    renameDevice(this.installation.dataDir, this.installation.device, name);
    return this.device();
  }

  /**
   * A folder read without a library (`vss browse` before any library exists): as
   * `LibraryApi.browse.folder`, with the default hash threshold and no `in_library`.
   */
  async browseFolder(path: string, opts: { recursive?: boolean; content?: boolean; limit?: number } = {}): Promise<FolderListing> {
    const { browseFolder } = await import('../content/browse-folder.js');
    return browseFolder(path, { ...opts, hashThresholdBytes: DEFAULT_HASH_THRESHOLD });
  }

  /** Events are streamed by a daemon; this process has none running for its data dir. */
  followEvents(): EventFollow {
    throw new VssError('NO_DAEMON', `no daemon runs for ${this.dataDir}: start one with \`vss daemon start\``, { path: this.dataDir });
  }

  /** Open a library for the length of a session; always `close()` it. */
  openLibrary(opts: OpenLibraryOptions = {}): LibraryApi {
    const access = opts.access ?? 'write';
    const lib = this.installation.openLibrary(opts.path, { shared: access === 'read' });
    return new LibraryApi(lib, { dataDir: this.dataDir, access });
  }

  /** Open, run FN, and close, whatever FN does. */
  async withLibrary<T>(opts: OpenLibraryOptions, fn: (lib: LibraryApi) => Promise<T> | T): Promise<T> {
    const lib = this.openLibrary(opts);
    try {
      return await fn(lib);
    } finally {
      lib.close();
    }
  }
}
