/**
 * The local API's operations (DESIGN §12), one row each. Everything about an operation's wire is
 * here: its method and path, the core API method that serves it, and where each argument travels.
 * The daemon's routes, the remote client the CLI uses through a daemon, and the web app's
 * addresses are all made from this table, so they cannot drift apart; adding an operation is a
 * method of the core API and a row here (docs/architecture.md).
 *
 * Plain data, no imports: the web app bundles this file.
 *
 * `:lib` in a path is a library id or `current`; a `lib.*` call is made on that library, a
 * `vss.*` call on the device's core. Arguments are the call's, in order: a field, or an options
 * object whose keys travel as fields of their own. A streamed operation answers with NDJSON: the
 * library events it names as they happen, the calls of its callbacks, then one result (or error).
 */

/** Where a field travels; `party`: never on the wire, the daemon says who asked (files/destination.ts: this machine's user, or a paired browser). */
export type FieldIn = 'params' | 'query' | 'body' | 'party';

/**
 * How a field is read and checked at the daemon (sizes are bounded there): `path` is made
 * absolute by the client (the daemon's working directory is not the caller's); `place` is an
 * address as core/address.ts reads it, a path made absolute or a device's or bucket's address as
 * typed; `json` is any JSON value the core checks itself.
 */
export type FieldType = 'string' | 'int' | 'bool' | 'strings' | 'uuid' | 'path' | 'place' | 'json';

export interface FieldSpec {
  readonly in: FieldIn;
  readonly name: string;
  readonly type: FieldType;
  readonly optional?: boolean;
  /** Bounds of an `int` the row checks; without them the core checks the number (and says what fits). */
  readonly min?: number;
  readonly max?: number;
  /** What the daemon takes when the field is absent. */
  readonly default?: string | number | boolean;
}

/** An options object: each key is a field of its own on the wire. */
export interface OptionsSpec {
  readonly options: Readonly<Record<string, FieldSpec>>;
}

/** A callback argument: it is called with each event of this name the call says. */
export interface CallbackSpec {
  readonly callback: string;
}

export type ArgSpec = FieldSpec | OptionsSpec | CallbackSpec;

export interface OperationSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** The core API method that serves it; absent for a route with a handler of its own (files, events, sign-in). */
  readonly call?: `lib.${string}` | `vss.${string}`;
  readonly args?: readonly ArgSpec[];
  /** Answered as a stream: these library events (name prefixes) while it runs, and these options called back. */
  readonly stream?: {
    readonly events?: readonly string[];
    readonly callbacks?: readonly string[];
    /** The option that gets the call's abort signal (the client went away). */
    readonly signal?: string;
  };
  /** Query fields a route with a handler of its own reads (the others are refused). */
  readonly query?: readonly string[];
}

const field = (at: FieldIn) => (name: string, type: FieldType, more: Omit<FieldSpec, 'in' | 'name' | 'type'> = {}): FieldSpec => ({ in: at, name, type, ...more });
const param = field('params');
const query = field('query');
const body = field('body');
const opt = { optional: true } as const;
/** Who asks, as the daemon found it (a paired browser), never as a request says. */
const PARTY: FieldSpec = { in: 'party', name: 'party', type: 'string', optional: true };
const options = (o: Record<string, FieldSpec>): OptionsSpec => ({ options: o });
const callback = (event: string): CallbackSpec => ({ callback: event });

/** A page of a list: `after` (the cursor) and `limit` (a whole page unless asked for less). */
const PAGE = { after: query('after', 'string', opt), limit: query('limit', 'int', { default: 1000 }) };
const ID = param('id', 'int', { min: 1 });
/** What narrows the grid besides the device (GridFilter, src/wire/browse.ts). */
const GRID_FILTER = options({ tag: query('tag', 'string', opt), favorite: query('favorite', 'bool', opt), rating: query('rating', 'int', { optional: true, min: 0, max: 5 }), hidden: query('hidden', 'bool', opt), person: query('person', 'uuid', opt),
  album: query('album', 'uuid', opt), kinds: query('kinds', 'string', opt), risk: query('risk', 'bool', opt) });
const LIB = '/api/libraries/:lib';

export const OPERATIONS = {
  device: { method: 'GET', path: '/api/device', call: 'vss.device' },
  deviceRename: { method: 'PUT', path: '/api/device/name', call: 'vss.renameDevice', args: [body('name', 'string')] },
  cpuBudgetGet: { method: 'GET', path: '/api/device/cpu-budget', call: 'vss.deviceSettings.cpuBudget' },
  cpuBudgetSet: { method: 'PUT', path: '/api/device/cpu-budget', call: 'vss.deviceSettings.setCpuBudget', args: [body('cores', 'json')] },
  syncSettingsGet: { method: 'GET', path: '/api/device/sync-settings', call: 'vss.deviceSettings.sync' },
  syncSettingsSet: { method: 'PUT', path: '/api/device/sync-settings', call: 'vss.deviceSettings.setSync', args: [body('patch', 'json')] },
  // Spacedrop: where files sent to this device land
  inboxGet: { method: 'GET', path: '/api/device/inbox', call: 'vss.deviceSettings.inbox' },
  inboxSet: { method: 'PUT', path: '/api/device/inbox', call: 'vss.deviceSettings.setInbox', args: [body('dir', 'string')] },
  /** Whether a paired device's --force overrides this device's Guardian when it replaces files here (DESIGN §19). */
  peerForceGet: { method: 'GET', path: '/api/device/peer-force', call: 'vss.deviceSettings.peerForce' },
  peerForceSet: { method: 'PUT', path: '/api/device/peer-force', call: 'vss.deviceSettings.setPeerForce', args: [body('on', 'bool')] },
  /** The folders paired devices may browse though in no location (issue 59). */
  browsableList: { method: 'GET', path: '/api/device/browsable', call: 'vss.deviceSettings.browsable' },
  browsableSet: { method: 'PUT', path: '/api/device/browsable', call: 'vss.deviceSettings.setBrowsable', args: [body('path', 'string'), body('on', 'bool')] },

  librariesList: { method: 'GET', path: '/api/libraries', call: 'vss.libraries.list' },
  librariesCreate: { method: 'POST', path: '/api/libraries', call: 'vss.libraries.create', args: [body('name', 'string'), options({ dir: body('dir', 'path', opt) })] },
  librariesUse: { method: 'POST', path: '/api/libraries/use', call: 'vss.libraries.use', args: [body('path', 'path')] },
  librariesCurrent: { method: 'GET', path: '/api/libraries/current', call: 'vss.libraries.current' },
  /** Make the library this device knows by that name or id current. */
  librariesSwitch: { method: 'POST', path: '/api/libraries/switch', call: 'vss.libraries.switch', args: [body('library', 'string')] },
  /** Stop using a library (default: the current one); the daemon lets go of it. */
  librariesClose: { method: 'POST', path: '/api/libraries/close', call: 'vss.libraries.close', args: [body('library', 'string', opt)] },
  /** A library's database brought back from a snapshot (`library backup` made it): checked first, refused while the library is open. */
  librariesRestore: { method: 'POST', path: '/api/libraries/restore', call: 'vss.libraries.restore', args: [body('path', 'path'), options({ library: body('library', 'string', opt) })] },
  /** A library brought back from its encrypted bucket with the recovery phrase (issue 60): installed here and made current. */
  librariesRecover: {
    method: 'POST', path: '/api/libraries/recover', call: 'vss.libraries.recover',
    args: [body('from', 'string'), options({ phrase: body('phrase', 'string'), endpoint: body('endpoint', 'string', opt), region: body('region', 'string', opt), path_style: body('path_style', 'bool', opt) })],
  },
  /** The library at a path (or the current one), opened in the daemon: its id, name and path. */
  librariesResolve: { method: 'POST', path: '/api/libraries/resolve', call: 'vss.libraries.resolve', args: [body('path', 'path', opt)] },

  modelsList: { method: 'GET', path: '/api/models', call: 'vss.models.list' },
  modelsAdd: {
    method: 'POST', path: '/api/models', call: 'vss.models.add', stream: {},
    args: [body('engine', 'string'), body('path', 'path'), options({ id: body('id', 'string', opt), library: body('library', 'path', opt) })],
  },
  modelsRemove: { method: 'POST', path: '/api/models/remove', call: 'vss.models.remove', args: [body('engine', 'string'), body('id', 'string', opt)] },

  /** Streamed: the code first (a `pairing:code` event), then the paired device once the joiner is done. */
  pairingStart: { method: 'POST', path: '/api/pairing/start', call: 'vss.pairing.start', stream: { signal: 'signal' }, args: [options({ library: body('library', 'path', opt) }), callback('pairing:code')] },
  pairingJoin: { method: 'POST', path: '/api/pairing/join', call: 'vss.pairing.join', args: [body('words', 'strings'), options({ peer: body('peer', 'string', opt), invite: body('invite', 'string', opt) })] },
  devicesList: { method: 'GET', path: '/api/devices', call: 'vss.devices.list' },
  /** ID: a device uuid or its start (the core checks it). */
  devicesUnpair: { method: 'DELETE', path: '/api/devices/:id', call: 'vss.devices.unpair', args: [param('id', 'string')] },
  /** What a device may do in the libraries it shares with this one; RIGHTS given: set first (`vss devices rights`). */
  devicesRights: { method: 'POST', path: '/api/devices/:id/rights', call: 'vss.devices.rights', args: [param('id', 'string'), body('rights', 'strings', opt)] },
  /** End a paired browser's session for good (`vss devices revoke`). */
  devicesRevoke: { method: 'POST', path: '/api/devices/:id/revoke', call: 'vss.devices.revoke', args: [param('id', 'string')] },
  /** ADDR: a multiaddr of a paired device (the core checks it). */
  devicesConnect: { method: 'POST', path: '/api/devices/connect', call: 'vss.devices.connect', args: [body('addr', 'string')] },

  libraryStats: { method: 'GET', path: `${LIB}/stats`, call: 'lib.stats' },

  locationsList: { method: 'GET', path: `${LIB}/locations`, call: 'lib.locations.list' },
  locationsGet: { method: 'GET', path: `${LIB}/locations/:id`, call: 'lib.locations.get', args: [ID] },
  /** The other devices' locations, as their owners last said, under each device. */
  locationsOfOtherDevices: { method: 'GET', path: `${LIB}/locations/other-devices`, call: 'lib.locations.ofOtherDevices' },
  locationsAdd: {
    method: 'POST', path: `${LIB}/locations`, call: 'lib.locations.add', stream: { events: ['index:'] },
    args: [body('path', 'place'), options({
      name: body('name', 'string', opt), mode: body('mode', 'string', opt), ignore: body('ignore', 'strings', opt), generate: body('generate', 'string', opt),
      endpoint: body('endpoint', 'string', opt), region: body('region', 'string', opt), path_style: body('path_style', 'bool', opt),
    })],
  },
  locationsAddBucket: {
    method: 'POST', path: `${LIB}/locations/bucket`, call: 'lib.locations.addBucket', stream: { events: ['index:'] },
    args: [body('url', 'string'), options({
      name: body('name', 'string', opt), mode: body('mode', 'string', opt), ignore: body('ignore', 'strings', opt), generate: body('generate', 'string', opt),
      endpoint: body('endpoint', 'string', opt), region: body('region', 'string', opt), path_style: body('path_style', 'bool', opt),
    })],
  },
  locationsRescan: { method: 'POST', path: `${LIB}/locations/:id/rescan`, call: 'lib.locations.rescan', stream: { events: ['index:'] }, args: [ID, options({ mode: body('mode', 'string', opt), force: body('force', 'bool', opt), folder: body('folder', 'string', opt) })] },
  locationsPolicy: { method: 'PUT', path: `${LIB}/locations/:id/policy`, call: 'lib.locations.setPolicy', args: [ID, body('policy', 'json')] },
  locationsPause: { method: 'POST', path: `${LIB}/locations/:id/pause`, call: 'lib.locations.pause', args: [ID] },
  locationsResume: { method: 'POST', path: `${LIB}/locations/:id/resume`, call: 'lib.locations.resume', args: [ID] },
  locationsRemove: { method: 'DELETE', path: `${LIB}/locations/:id`, call: 'lib.locations.remove', args: [ID] },

  contentList: {
    method: 'GET', path: `${LIB}/content`, call: 'lib.content.list',
    args: [options({ kind: query('kind', 'string', opt), locationId: query('location', 'int', opt), device: query('device', 'string', opt), ...PAGE })],
  },
  /** A content's original copied into a folder of this device, verified: from here or from a paired device (DESIGN §15). */
  /** Streamed: the copy's job id (`onQueued`), its progress (`job:progress`), then where the copy is. */
  contentGet: {
    method: 'POST', path: `${LIB}/content/get`, call: 'lib.sync.getOriginal',
    stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' }, args: [body('ref', 'string'), body('to', 'path'), options({})],
  },
  /** The same copy queued as a job of the daemon, answered at once (`content get --detach`). */
  contentGetQueue: { method: 'POST', path: `${LIB}/content/get/queue`, call: 'lib.sync.queueGetOriginal', args: [body('ref', 'string'), body('to', 'path')] },
  /** Every content with no copy on this device copied into a folder here, each verified (`content get --all`); streamed as `contentGet`. */
  contentGetAll: {
    method: 'POST', path: `${LIB}/content/get-all`, call: 'lib.sync.getAll',
    stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' }, args: [body('to', 'path'), options({ from: body('from', 'string', opt) })],
  },
  /** The same queued as a job of the daemon, answered at once (`content get --all --detach`). */
  contentGetAllQueue: { method: 'POST', path: `${LIB}/content/get-all/queue`, call: 'lib.sync.queueGetAll', args: [body('to', 'path'), options({ from: body('from', 'string', opt) })] },
  /** What it would copy (`--dry-run`). */
  contentGetAllPreview: { method: 'POST', path: `${LIB}/content/get-all/preview`, call: 'lib.sync.previewGetAll', args: [body('to', 'path'), options({ from: body('from', 'string', opt) })] },
  /** Files (absolute paths) or contents (uuids) sent to a paired device's inbox; streamed: the job id (`onQueued`), its progress, then where each file went. */
  filesSend: {
    method: 'POST', path: `${LIB}/files/send`, call: 'lib.send.send',
    stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' }, args: [body('refs', 'strings'), body('to', 'string'), options({})],
  },
  /** The same send queued as a job of the daemon, answered at once (`files send --detach`). */
  filesSendQueue: { method: 'POST', path: `${LIB}/files/send/queue`, call: 'lib.send.queue', args: [body('refs', 'strings'), body('to', 'string')] },
  /** File operations (DESIGN §17), streamed like content get: the job id, its progress, then its outcome. */
  /**
   * Copy or move files and folders of this device's locations (DESIGN §17); SRCS are absolute paths, or content uuids (the grid's picked items: one
   * file of each here to copy, all to move). TO is where, as the user named it: an absolute path here, a paired device's folder
   * (`DEVICE:/LOCATION[/PATH]`, issue 30 item 3) or a bucket volume's (`s3://BUCKET/PREFIX[/FOLDER]`, item 7); the core tells them apart
   * (src/ops/file-op-request.ts) and refuses a relative path.
   */
  filesCopy: {
    method: 'POST', path: `${LIB}/files/copy`, call: 'lib.files.copy', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('srcs', 'strings'), body('to', 'string'), options({ onConflict: body('on_conflict', 'string', opt), into: body('into', 'bool', opt), force: body('force', 'bool', opt), detach: body('detach', 'bool', opt), party: PARTY })],
  },
  filesMove: {
    method: 'POST', path: `${LIB}/files/move`, call: 'lib.files.move', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('srcs', 'strings'), body('to', 'string'), options({ onConflict: body('on_conflict', 'string', opt), into: body('into', 'bool', opt), force: body('force', 'bool', opt), detach: body('detach', 'bool', opt), party: PARTY })],
  },
  /**
   * Delete files and folders (or contents by uuid: their files on this device) into the trash, or for good with `permanent`; what leaves a content below its Guardian policy (its
   * last copy too) is refused without `force`, or with `keep_refused` left out and named in the result while the rest is deleted.
   */
  filesDelete: {
    method: 'POST', path: `${LIB}/files/delete`, call: 'lib.files.delete', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('paths', 'strings'), options({ force: body('force', 'bool', opt), keepRefused: body('keep_refused', 'bool', opt), permanent: body('permanent', 'bool', opt), detach: body('detach', 'bool', opt) })],
  },
  /**
   * An operation (`op`: copy, move, delete, get, send) of SRCS planned and shown, not run (`--dry-run`): files, bytes, conflicts, space,
   * contents left below policy. TO as for copy and move (a device's or a bucket's folder too), a get's folder, or a send's device; the flags as
   * the real call takes them.
   */
  filesPreview: {
    method: 'POST', path: `${LIB}/files/preview`, call: 'lib.files.preview',
    args: [body('op', 'string'), body('srcs', 'strings'), options({
      to: body('to', 'string', opt), onConflict: body('on_conflict', 'string', opt), into: body('into', 'bool', opt), force: body('force', 'bool', opt),
      keepRefused: body('keep_refused', 'bool', opt), permanent: body('permanent', 'bool', opt), device: body('device', 'string', opt), party: PARTY,
    })],
  },
  /** A folder of any device of the library, `[DEVICE:]/LOCATION[/PATH]` (DESIGN §15). */
  ls: { method: 'GET', path: `${LIB}/ls`, call: 'lib.ls', args: [query('path', 'string', opt)] },
  /** The web UI's browse view: days with their counts, pages of tiles by capture time, one content's detail. */
  /** `device`: only the contents that device holds (`local`, or a device id); absent, every device's (DESIGN §15). */
  /** `tag` (uuid or name; with the tags beneath it), `favorite`, `rating` (at least), `hidden` (show hidden contents too): DESIGN §16. */
  /** Where the library's photos were taken, by country and town (issue 32). */
  placesList: { method: 'GET', path: `${LIB}/places`, call: 'lib.browse.places' },
  gridDays: { method: 'GET', path: `${LIB}/grid/days`, call: 'lib.browse.days', args: [query('device', 'string', opt), GRID_FILTER] },
  gridPage: { method: 'GET', path: `${LIB}/grid`, call: 'lib.browse.page', args: [query('offset', 'int', { default: 0 }), query('limit', 'int', { default: 200 }), query('device', 'string', opt), GRID_FILTER] },
  contentDetail: { method: 'GET', path: `${LIB}/content/:uuid/detail`, call: 'lib.browse.detail', args: [param('uuid', 'uuid')] },
  /** A folder of this device read without adding it (`vss browse`). */
  browseFolder: {
    method: 'GET', path: `${LIB}/browse-folder`, call: 'lib.browse.folder',
    args: [query('path', 'place'), options({ recursive: query('recursive', 'bool', opt), content: query('content', 'bool', opt), limit: query('limit', 'int', { optional: true, min: 1, max: 100_000 }) })],
  },

  /** The folders in no location a device lets this one browse (issue 59): this device's, or a paired one's asked now. */
  browseRoots: { method: 'GET', path: `${LIB}/browse-roots`, call: 'lib.browse.roots', args: [query('device', 'string', opt)] },
  /** A thumbnail (grid@1x, WebP) of a file of this device read without adding it (`vss browse`), made on demand into a bounded cache. */
  browseThumb: { method: 'GET', path: `${LIB}/browse-thumb`, query: ['path'] },

  /** Tags and user metadata (DESIGN §11, §16), shared by every device of the library. */
  tagsList: { method: 'GET', path: `${LIB}/tags`, call: 'lib.tags.list' },
  tagsCreate: { method: 'POST', path: `${LIB}/tags`, call: 'lib.tags.create', args: [body('name', 'string'), options({ parent: body('parent', 'string', opt), color: body('color', 'string', opt) })] },
  /** REF: a tag's uuid or name. */
  tagsChange: { method: 'PUT', path: `${LIB}/tags/:ref`, call: 'lib.tags.change', args: [param('ref', 'string'), options({ name: body('name', 'string', opt), parent: body('parent', 'string', opt), color: body('color', 'string', opt) })] },
  tagsDelete: { method: 'DELETE', path: `${LIB}/tags/:ref`, call: 'lib.tags.delete', args: [param('ref', 'string')] },
  tagsMerge: { method: 'POST', path: `${LIB}/tags/merge`, call: 'lib.tags.merge', args: [body('from', 'string'), body('into', 'string')] },
  tagsAdd: { method: 'POST', path: `${LIB}/tags/add`, call: 'lib.tags.add', args: [body('tag', 'string'), body('contents', 'strings'), options({ recursive: body('recursive', 'bool', opt), party: PARTY })] },
  tagsRemove: { method: 'POST', path: `${LIB}/tags/remove`, call: 'lib.tags.remove', args: [body('tag', 'string'), body('contents', 'strings'), options({ recursive: body('recursive', 'bool', opt), party: PARTY })] },
  /** REF: a content uuid, DEVICE:/LOCATION/PATH, or a file path in a location (query, as it may hold slashes). */
  metaShow: { method: 'GET', path: `${LIB}/meta`, call: 'lib.meta.show', args: [query('ref', 'string'), options({ party: PARTY })] },
  /** CONTENTS: what to write (none: every content with metadata or tags). */
  xmpExport: { method: 'POST', path: `${LIB}/xmp/export`, call: 'lib.xmp.export', args: [body('contents', 'strings', opt)] },
  /** A location's XMP sidecars kept written back (issue 59), or not. */
  xmpWriteBack: { method: 'POST', path: `${LIB}/xmp/write-back/:id`, call: 'lib.xmp.writeBack', args: [ID, body('on', 'bool')] },
  metaSet: {
    method: 'POST', path: `${LIB}/meta`, call: 'lib.meta.set',
    args: [body('contents', 'strings'), options({ favorite: body('favorite', 'bool', opt), hidden: body('hidden', 'bool', opt), rating: body('rating', 'int', { optional: true, min: 0, max: 5 }), note: body('note', 'string', opt), party: PARTY })],
  },

  /** The trash (issue 45): what a delete moved aside, restorable for 30 days; REFS: trash ids, or paths the files had. */
  trashList: { method: 'GET', path: `${LIB}/trash`, call: 'lib.trash.list' },
  trashRestore: { method: 'POST', path: `${LIB}/trash/restore`, call: 'lib.trash.restore', args: [body('refs', 'strings')] },
  trashEmpty: {
    method: 'POST', path: `${LIB}/trash/empty`, call: 'lib.trash.empty',
    args: [options({ refs: body('refs', 'strings', opt), olderThanDays: body('older_than_days', 'int', { optional: true, min: 0 }), force: body('force', 'bool', opt) })],
  },

  /** The library's own database kept (issue 45): a snapshot now (to a folder or a drive; --every: on a schedule), and the snapshots made. */
  libraryBackup: {
    method: 'POST', path: `${LIB}/backup`, call: 'lib.backup.make',
    args: [options({ to: body('to', 'string', opt), keep: body('keep', 'int', { optional: true, min: 1 }), every: body('every', 'int', { optional: true, min: 1 }), unschedule: body('unschedule', 'bool', opt) })],
  },
  libraryBackups: { method: 'GET', path: `${LIB}/backups`, call: 'lib.backup.list' },
  /** Near-duplicates (issue 45): groups of contents whose pictures match; keeping one trashes the others' files here, their tags and albums merged onto it. */
  similarList: { method: 'GET', path: `${LIB}/similar`, call: 'lib.similar.list' },
  similarKeep: { method: 'POST', path: `${LIB}/similar/keep`, call: 'lib.similar.keep', args: [body('keep', 'string'), body('others', 'strings')] },
  /** Stacks (issue 45): a RAW with its camera's JPEG, a burst's frames, one item behind a cover; shared data. */
  stacksList: { method: 'GET', path: `${LIB}/stacks`, call: 'lib.stacks.list' },
  stackSetCover: { method: 'POST', path: `${LIB}/stacks/cover`, call: 'lib.stacks.setCover', args: [body('stack_id', 'string'), body('content', 'string')] },
  stackUnstack: { method: 'POST', path: `${LIB}/stacks/unstack`, call: 'lib.stacks.unstack', args: [body('stack_id', 'string')] },

  /** Albums (issue 32), shared by every device of the library. REF: an album's id or name. */
  albumsList: { method: 'GET', path: `${LIB}/albums`, call: 'lib.albums.list' },
  albumsShow: { method: 'GET', path: `${LIB}/albums/:ref`, call: 'lib.albums.show', args: [param('ref', 'string')] },
  albumsCreate: { method: 'POST', path: `${LIB}/albums`, call: 'lib.albums.create', args: [body('name', 'string'), options({ parent: body('parent', 'string', opt), query: body('query', 'string', opt) })] },
  albumsChange: {
    method: 'PUT', path: `${LIB}/albums/:ref`, call: 'lib.albums.change',
    args: [param('ref', 'string'), options({ name: body('name', 'string', opt), parent: body('parent', 'string', opt), query: body('query', 'string', opt), cover: body('cover', 'string', opt) })],
  },
  albumsDelete: { method: 'DELETE', path: `${LIB}/albums/:ref`, call: 'lib.albums.delete', args: [param('ref', 'string')] },
  albumsAdd: { method: 'POST', path: `${LIB}/albums/add`, call: 'lib.albums.add', args: [body('album', 'string'), body('contents', 'strings')] },
  albumsRemove: { method: 'POST', path: `${LIB}/albums/remove`, call: 'lib.albums.remove', args: [body('album', 'string'), body('contents', 'strings')] },
  /** Faces and people (issue 31), shared by every device of the library. PERSON: an id or a name. */
  peopleList: { method: 'GET', path: `${LIB}/people`, call: 'lib.people.list', args: [options({ hidden: query('hidden', 'bool', opt) })] },
  peopleFaces: { method: 'GET', path: `${LIB}/people/:person/faces`, call: 'lib.people.faces', args: [param('person', 'string')] },
  peopleName: { method: 'POST', path: `${LIB}/people/:person/name`, call: 'lib.people.name', args: [param('person', 'string'), body('name', 'string')] },
  peopleMerge: { method: 'POST', path: `${LIB}/people/merge`, call: 'lib.people.merge', args: [body('people', 'strings')] },
  peopleSplit: { method: 'POST', path: `${LIB}/people/:person/split`, call: 'lib.people.split', args: [param('person', 'string'), body('faces', 'strings')] },
  peopleHide: { method: 'POST', path: `${LIB}/people/:person/hide`, call: 'lib.people.hide', args: [param('person', 'string')] },
  peopleShow: { method: 'POST', path: `${LIB}/people/:person/show`, call: 'lib.people.show', args: [param('person', 'string')] },
  peopleCreate: { method: 'POST', path: `${LIB}/people`, call: 'lib.people.create', args: [body('faces', 'strings'), body('name', 'string', opt)] },
  /** REF: a content uuid, DEVICE:/LOCATION/PATH, or a file path in a location. */
  facesList: { method: 'GET', path: `${LIB}/faces`, call: 'lib.faces.list', args: [query('ref', 'string')] },
  /** CONTENTS: whose faces to make again (none: every content whose faces were made here). */
  facesRemake: { method: 'POST', path: `${LIB}/faces/remake`, call: 'lib.faces.remake', args: [body('contents', 'strings', opt)] },
  /** The faces that are nobody yet (the People page says so rather than "nobody"). */
  facesUnsorted: { method: 'GET', path: `${LIB}/faces/unsorted`, call: 'lib.faces.unsorted', args: [options({ limit: query('limit', 'int', { optional: true, min: 0, max: 100 }) })] },
  /** FACE: its id or the start of it a list shows (not a uuid only: the daemon would refuse what `faces list` prints). PERSON: an id, a name, `none` or `auto`. */
  facesAssign: { method: 'POST', path: `${LIB}/faces/:face/assign`, call: 'lib.faces.assign', args: [param('face', 'string'), body('person', 'string')] },

  sidecarsList: {
    method: 'GET', path: `${LIB}/sidecars`, call: 'lib.sidecars.list',
    args: [options({ contentUuid: query('content', 'string', opt), kind: query('kind', 'string', opt), status: query('status', 'string', opt), ...PAGE })],
  },
  sidecarsPresence: { method: 'POST', path: `${LIB}/sidecars/presence`, call: 'lib.sidecars.presence', args: [body('uuids', 'strings'), body('kind', 'string'), body('variants', 'strings', opt)] },
  /** As presence, answered as a table (positions instead of repeated uuids): for thousands of contents at once. */
  sidecarsPresenceTable: { method: 'POST', path: `${LIB}/sidecars/presence-table`, call: 'lib.sidecars.presenceTable', args: [body('uuids', 'strings'), body('kind', 'string'), body('variants', 'strings', opt)] },
  sidecarsPath: { method: 'POST', path: `${LIB}/sidecars/path`, call: 'lib.sidecars.path', args: [body('uuid', 'string'), body('kind', 'string'), body('variant', 'string')] },
  sidecarsGet: {
    method: 'POST', path: `${LIB}/sidecars/get`, call: 'lib.sidecars.get',
    args: [body('uuid', 'string'), body('kind', 'string'), body('variant', 'string'), options({ timeoutMs: body('timeout_ms', 'int', { optional: true, min: 1, max: 3_600_000 }) })],
  },
  sidecarsReconcile: {
    method: 'POST', path: `${LIB}/sidecars/reconcile`, call: 'lib.sidecars.reconcile',
    stream: { events: ['sidecars:progress'], callbacks: ['onProblem', 'onQuarantine'] }, args: [options({ verify: body('verify', 'bool', opt) })],
  },
  sidecarsConvert: {
    method: 'POST', path: `${LIB}/sidecars/convert-references`, call: 'lib.sidecars.convertReferences',
    stream: { events: ['sidecars:progress'] }, args: [options({ kind: body('kind', 'string', opt), contentUuids: body('uuids', 'strings', opt), force: body('force', 'bool', opt) })],
  },
  syncStatus: { method: 'GET', path: `${LIB}/sync`, call: 'lib.sync.status' },

  jobsList: { method: 'GET', path: `${LIB}/jobs`, call: 'lib.jobs.list', args: [options({ status: query('status', 'string', opt), kind: query('kind', 'string', opt), contentUuid: query('content', 'string', opt), ...PAGE })] },
  jobsCounts: { method: 'GET', path: `${LIB}/jobs/counts`, call: 'lib.jobs.counts' },
  jobsGet: { method: 'GET', path: `${LIB}/jobs/:id`, call: 'lib.jobs.get', args: [ID] },
  jobsRetry: { method: 'POST', path: `${LIB}/jobs/:id/retry`, call: 'lib.jobs.retry', args: [ID] },
  jobsCancel: { method: 'POST', path: `${LIB}/jobs/:id/cancel`, call: 'lib.jobs.cancel', args: [ID] },
  jobsPause: { method: 'POST', path: `${LIB}/jobs/:id/pause`, call: 'lib.jobs.pause', args: [ID] },
  jobsResume: { method: 'POST', path: `${LIB}/jobs/:id/resume`, call: 'lib.jobs.resume', args: [ID] },
  /** Through a daemon, `jobs run` follows the queue the daemon works already (until idle, or until the client goes). */
  jobsRun: { method: 'POST', path: `${LIB}/jobs/run`, call: 'lib.jobs.run', stream: { events: ['jobs:'], signal: 'signal' }, args: [options({ untilIdle: body('until_idle', 'bool', opt) })] },

  policyGet: { method: 'GET', path: `${LIB}/policy`, call: 'lib.policy.get', args: [query('device_type', 'string', opt)] },
  policySet: { method: 'PUT', path: `${LIB}/policy`, call: 'lib.policy.set', args: [body('policy', 'string'), body('device_type', 'string', opt)] },

  /** `{results, pending}`: a query through the daemon waits for indexing only briefly; `pending` says what is not indexed yet. */
  search: {
    method: 'GET', path: `${LIB}/search`, call: 'lib.search.answer',
    args: [query('q', 'string'), options({ kind: query('kind', 'string', opt), limit: query('limit', 'int', opt), semantic: query('semantic', 'bool', opt), model: query('model', 'string', opt) })],
  },
  searchReindex: { method: 'POST', path: `${LIB}/search/reindex`, call: 'lib.search.reindex' },

  // `ref` is a volume's id or fingerprint
  /** The action log, newest first (the core checks the limit against what is kept). */
  actionsList: { method: 'GET', path: `${LIB}/actions`, call: 'lib.actions.list', args: [options({ limit: query('limit', 'int', opt) })] },

  volumesList: { method: 'GET', path: `${LIB}/volumes`, call: 'lib.volumes.list' },
  volumesGet: { method: 'GET', path: `${LIB}/volumes/:ref`, call: 'lib.volumes.get', args: [param('ref', 'string')] },
  /** A bucket as a volume (`s3://BUCKET/PREFIX`): reached with the daemon's credentials (its environment's standard chain). */
  volumesAdd: {
    method: 'POST', path: `${LIB}/volumes`, call: 'lib.volumes.add',
    args: [body('url', 'string'), options({ endpoint: body('endpoint', 'string', opt), region: body('region', 'string', opt), path_style: body('path_style', 'bool', opt), name: body('name', 'string', opt), encrypt: body('encrypt', 'bool', opt) })],
  },
  /** The recovery phrase of the library's bucket key, shown again (issue 60): never a paired browser's to call (not in its rights' table). */
  libraryKeyPhrase: { method: 'POST', path: `${LIB}/key/phrase`, call: 'lib.volumes.keyPhrase' },
  volumesTrack: { method: 'POST', path: `${LIB}/volumes/:ref/track`, call: 'lib.volumes.track', args: [param('ref', 'string'), options({ name: body('name', 'string', opt) })] },
  volumesUntrack: { method: 'POST', path: `${LIB}/volumes/:ref/untrack`, call: 'lib.volumes.untrack', args: [param('ref', 'string')] },
  volumesSpeed: { method: 'POST', path: `${LIB}/volumes/:ref/speed`, call: 'lib.volumes.speed', args: [param('ref', 'string')] },

  // The Guardian (issue 30): copies counted against a policy
  guardianPolicies: { method: 'GET', path: `${LIB}/guardian/policies`, call: 'lib.guardian.policies' },
  /** The library's policy, a location's (`location`: this device's id) or a tag's (`tag`: uuid or name); `clear` forgets it. */
  guardianSetPolicy: {
    method: 'PUT', path: `${LIB}/guardian/policies`, call: 'lib.guardian.setPolicy',
    args: [options({
      copies: body('copies', 'int', { optional: true, min: 0, max: 64 }), devices: body('devices', 'int', { optional: true, min: 0, max: 64 }),
      offsite: body('offsite', 'int', { optional: true, min: 0, max: 64 }), location: body('location', 'int', { optional: true, min: 1 }),
      tag: body('tag', 'string', opt), clear: body('clear', 'bool', opt),
    })],
  },
  guardianStatus: { method: 'GET', path: `${LIB}/guardian/status`, call: 'lib.guardian.status' },
  guardianAtRisk: { method: 'GET', path: `${LIB}/guardian/at-risk`, call: 'lib.guardian.atRisk', args: [options({ limit: query('limit', 'int', { optional: true, min: 1, max: 10_000 }) })] },
  // Rot found and repaired (issue 30 item 5)
  guardianRot: { method: 'GET', path: `${LIB}/guardian/rot`, call: 'lib.guardian.rot', args: [options({ limit: query('limit', 'int', { optional: true, min: 1, max: 10_000 }) })] },
  /** Streamed like a file operation: the job id, its progress, then what it found. */
  guardianScrub: {
    method: 'POST', path: `${LIB}/guardian/scrub`, call: 'lib.guardian.scrub', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('locations', 'strings', opt), options({ detach: body('detach', 'bool', opt) })],
  },
  guardianRepair: {
    method: 'POST', path: `${LIB}/guardian/repair`, call: 'lib.guardian.repair', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('contents', 'strings', opt), options({ detach: body('detach', 'bool', opt) })],
  },
  /** Hold the objects vss put in this device's buckets against a listing of each (`buckets`: names, ids or URLs; none: all); streamed like a scrub. */
  guardianCheckBuckets: {
    method: 'POST', path: `${LIB}/guardian/check-buckets`, call: 'lib.guardian.checkBuckets', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [body('buckets', 'strings', opt), options({ detach: body('detach', 'bool', opt), read: body('read', 'bool', opt) })],
  },
  /** This device's scrub settings; with a field, set first. */
  guardianScrubSettings: {
    method: 'PUT', path: `${LIB}/guardian/scrub-settings`, call: 'lib.guardian.scrubSettings',
    args: [options({ rate_mbps: body('rate_mbps', 'int', { optional: true, min: 0, max: 100_000 }), every_days: body('every_days', 'int', { optional: true, min: 0, max: 3650 }) })],
  },
  /** Copy the contents short of their policy onto drives of this device that lack them (`to`: a folder or a drive; absent: chosen; `every`: again that often, by the daemon); streamed like a file operation. */
  guardianProtect: {
    method: 'POST', path: `${LIB}/guardian/protect`, call: 'lib.guardian.protect', stream: { events: ['job:progress'], callbacks: ['onQueued'], signal: 'signal' },
    args: [options({ to: body('to', 'string', opt), detach: body('detach', 'bool', opt), every: body('every', 'int', { optional: true, min: 1 }), unschedule: body('unschedule', 'bool', opt) })],
  },
  /** The protect's plan, shown and not run (`--dry-run`). */
  guardianProtectPreview: { method: 'POST', path: `${LIB}/guardian/protect/preview`, call: 'lib.guardian.protectPreview', args: [options({ to: body('to', 'string', opt) })] },

  /** A ready sidecar's file, by address; with `v=<checksum>` it may be cached for good. */
  sidecarFile: { method: 'GET', path: `${LIB}/sidecars/:uuid/:kind/:variant`, query: ['v'] },
  /** A content's original file, by content uuid (Range requests for video seeking). */
  originalFile: { method: 'GET', path: `${LIB}/content/:uuid`, query: ['v'] },
  /** A single-use ticket that signs one browser in to the web UI (`vss ui`); given only for the bearer token, never for a session. */
  uiTicket: { method: 'POST', path: '/api/ui/ticket' },
  /** A pairing address for a phone or another browser (`vss ui pair`): single use, five minutes, a bounded number of them; the bearer token only. */
  uiPair: { method: 'POST', path: '/api/ui/pair' },
  /** A browser pairing away from home (issue 46 item 4), through the relay box with a pairing address's ticket: its browser device. Served to the bridge of `/vss/http/1` only. */
  uiPairAway: { method: 'POST', path: '/api/ui/pair-away' },
  /** Who the web app's session is: this machine's user (everything), or a browser that may only view (a paired one, any on the home network). */
  uiMe: { method: 'GET', path: '/api/ui/me' },
  /** Which of `cas_ids` (content ids a browser computed) the library holds already, on any device: `{have}` (issue 44). The browser device's library; this machine's: the current one. */
  uploadsCheck: { method: 'POST', path: '/api/uploads/check' },
  /** Land the finished upload `id` (tus, `/api/uploads/tus`) if it is not landed yet: `{path, already}`; what a browser asks after its last byte. */
  uploadsFinish: { method: 'POST', path: '/api/uploads/finish' },
  /** Albums shared by a link (issue 61): made, listed and ended by this machine's user (the bearer token, or `vss ui`'s session). */
  sharesCreate: { method: 'POST', path: '/api/shares' },
  sharesList: { method: 'GET', path: '/api/shares' },
  sharesRevoke: { method: 'POST', path: '/api/shares/revoke' },
  /** A share's guest: opens the link (no session before: the link's secret is the credential), then reads its album, its pictures and, when allowed, its originals. */
  shareOpen: { method: 'POST', path: '/api/share/open' },
  shareView: { method: 'GET', path: '/api/share' },
  shareThumb: { method: 'GET', path: '/api/share/thumb/:uuid/:variant', query: ['v'] },
  shareOriginal: { method: 'GET', path: '/api/share/original/:uuid' },
  /** Server-Sent Events: every library's events, `data: {library_id, type, payload}`. */
  events: { method: 'GET', path: '/api/events', query: ['library', 'follow', 'recent', 'since'] },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

/** Fill PATH's `:name` parts, each encoded as one segment (`@` kept: it stands in variants, `grid@1x`). */
export function fillPath(path: string, params: Readonly<Record<string, string | number>>): string {
  return path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(String(v)).replace(/%40/g, '@');
  });
}

/** An operation's address: its path filled, and the query fields that have a value. */
export function operationUrl(op: OperationName, params: Readonly<Record<string, string | number>> = {}, query: Readonly<Record<string, string | number | boolean | null | undefined>> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return fillPath(OPERATIONS[op].path, params) + (s === '' ? '' : `?${s}`);
}
