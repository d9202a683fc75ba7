import type { EventBus } from '../core/events.js';
import type { LibraryStats } from '../wire/common.js';
import type { LsItem } from '../wire/library-view.js';
import { listFolder } from '../browse/library-view.js';
import type { Library } from '../library/library.js';
import type { OpHost } from '../ops/op.js';
import { BrowseApi } from './browse.js';
import { ContentApi } from './content.js';
import { JobsApi } from './jobs.js';
import { LocationsApi } from './locations.js';
import { PolicyApi } from './policy.js';
import { SearchApi } from './search.js';
import { SidecarsApi } from './sidecars.js';
import { SyncApi } from './sync.js';
import { SendApi } from './send.js';
import { MetaApi, TagsApi, XmpApi } from './tags.js';
import { FilesApi } from './files.js';
import { VolumesApi } from './volumes.js';
import { GuardianApi } from './guardian.js';
import { ActionsApi } from './actions.js';
import { FacesApi, PeopleApi } from './people.js';
import { AlbumsApi } from './albums.js';
import { TrashApi } from './trash.js';
import { SimilarApi } from './similar.js';
import { StacksApi } from './stacks.js';
import { LibraryBackupApi } from './library-backup.js';
import { UploadsApi } from './uploads.js';

export type LibraryAccess = 'read' | 'write';

/** What every facade of an open library needs besides the library itself. */
export interface LibraryContext {
  dataDir: string;
  access: LibraryAccess;
}

/** The events a client may follow (the daemon streams them; the CLI draws progress from them). */
export type LibraryEvents = Pick<EventBus, 'on'>;

/** Every event of the library, for a server that forwards them all. */
export type AllLibraryEvents = Pick<EventBus, 'on' | 'onAny'>;

/** One open library and its facades: locations, content, sidecars, jobs, policy. */
export class LibraryApi {
  readonly id: string;
  readonly name: string;
  /** The library folder, absolute. */
  readonly path: string;
  readonly events: AllLibraryEvents;
  readonly locations: LocationsApi;
  readonly content: ContentApi;
  readonly sidecars: SidecarsApi;
  readonly jobs: JobsApi;
  readonly policy: PolicyApi;
  readonly sync: SyncApi;
  readonly browse: BrowseApi;
  readonly search: SearchApi;
  readonly tags: TagsApi;
  readonly meta: MetaApi;
  readonly xmp: XmpApi;
  /** Files sent to a paired device's inbox (a job of the daemon). */
  readonly send: SendApi;
  readonly files: FilesApi;
  readonly volumes: VolumesApi;
  /** How many copies each content has, against the policy (issue 30). */
  readonly guardian: GuardianApi;
  /** The action log: the operations that changed files or copies, and how each ended. */
  readonly actions: ActionsApi;
  /** People, named once and known on every device; the faces of a content (issue 31). */
  readonly people: PeopleApi;
  /** Albums and smart albums (issue 32). */
  readonly albums: AlbumsApi;
  readonly faces: FacesApi;
  /** Photos and videos a browser uploads (issue 44). */
  readonly uploads: UploadsApi;
  /** What a delete moved aside, restorable for 30 days (issue 45). */
  readonly trash: TrashApi;
  /** Near-duplicates (issue 45). */
  readonly similar: SimilarApi;
  readonly stacks: StacksApi;
  /** Snapshots of the library's own database (issue 45). */
  readonly backup: LibraryBackupApi;
  private readonly stopSearch: (() => void) | undefined;
  private readonly stopFaces: (() => void) | undefined;

  constructor(private readonly lib: Library, ctx: LibraryContext) {
    this.id = lib.config.id;
    this.name = lib.config.name;
    this.path = lib.root;
    this.events = lib.events;
    this.locations = new LocationsApi(lib, ctx, () => this.sync.online());
    // Where its durable operations run (src/ops/): the daemon's network while the library is linked to it.
    const host: OpHost = { lib, dataDir: ctx.dataDir, network: () => this.sync.network };
    this.sync = new SyncApi(lib, ctx, host);
    this.content = new ContentApi(lib, () => this.sync.online());
    this.sidecars = new SidecarsApi(lib, ctx, (uuid, kind, variant, opts) => this.sync.resolve(uuid, kind, variant, opts), host);
    this.jobs = new JobsApi(lib, host);
    this.policy = new PolicyApi(lib);
    this.browse = new BrowseApi(lib, ctx, () => this.sync.online(), () => this.sync.network);
    this.search = new SearchApi(lib, ctx);
    this.tags = new TagsApi(lib);
    this.meta = new MetaApi(lib);
    this.xmp = new XmpApi(lib);
    this.send = new SendApi(host);
    this.files = new FilesApi(host);
    this.volumes = new VolumesApi(lib);
    this.guardian = new GuardianApi(lib, () => this.sync.online(), host);
    this.actions = new ActionsApi(lib);
    // Where this library is open for writing, the search index follows its sidecars (DESIGN §14).
    this.stopSearch = ctx.access === 'write' ? this.search.follow() : undefined;
    this.people = new PeopleApi(lib);
    this.albums = new AlbumsApi(lib, this.search);
    this.faces = new FacesApi(lib);
    this.uploads = new UploadsApi(lib);
    this.trash = new TrashApi(host);
    this.backup = new LibraryBackupApi(host);
    this.stacks = new StacksApi(lib);
    this.similar = new SimilarApi(lib, { files: this.files, tags: this.tags, meta: this.meta, albums: this.albums });
    // And the faces follow their sidecars into people.
    this.stopFaces = ctx.access === 'write' ? this.people.follow() : undefined;
  }

  /**
   * A folder anywhere in the library, `[DEVICE:]/LOCATION[/PATH]` (DESIGN §15): this device's or
   * a paired one's, as its owner last sent it, with whether that device is online now. No
   * address: every device's locations; `DEVICE:` alone: that device's.
   */
  ls(address?: string): LsItem[] {
    return listFolder(this.lib, address, this.sync.online());
  }

  /** What the library holds: contents, files, bytes, locations, and its sidecars by kind and status. */
  stats(): LibraryStats {
    const c = this.lib.store.stats.counts();
    const sidecars: LibraryStats['sidecars'] = {};
    for (const [kind, status, n] of c.sidecars) (sidecars[kind] ??= {})[status] = n;
    const { sidecars: _rows, ...counts } = c;
    return { library_id: this.id, name: this.name, path: this.path, ...counts, sidecars };
  }

  /** Ask the long writes under way (scans) to commit what they have and end: the owner is closing. */
  requestStop(): void {
    this.lib.requestStop();
  }

  close(): void {
    this.stopSearch?.();
    this.stopFaces?.();
    this.search.close();
    this.lib.close();
  }
}
