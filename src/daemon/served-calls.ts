import type { LibraryApi, LibraryRef, PairingCodeInfo } from '../api/index.js';
import type { DaemonCore } from './daemon-core.js';
import { browserDeviceItem } from '../device/browser-devices.js';
import { parseRights, revokeBrowser } from '../api/devices.js';

/** How long a search through the daemon waits for queued contents to be indexed before it answers (ms). */
const DAEMON_SEARCH_WAIT_MS = 200;

/** A call as the routes make it: the arguments were checked by the row (call-args.ts), so any go. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Served = (...args: any[]) => unknown;

/**
 * The calls of the operation table that the daemon answers its own way rather than as the
 * in-process core does: it holds libraries open (so `use` and `resolve` open them here), runs the
 * network side (pairing, devices), works the job queue itself (`jobs run` follows it) and applies
 * models to the work under way. Every other row calls the core API method it names.
 */
export const LIBRARY_CALLS: Readonly<Record<string, (core: DaemonCore, lib: LibraryApi) => Served>> = {
  'lib.jobs.run': (core, lib) => (opts: { untilIdle?: boolean; signal: AbortSignal }) => core.runJobs(lib, { untilIdle: opts.untilIdle ?? false, signal: opts.signal }),
  // Each keystroke of search-as-you-type is a query: it waits for indexing only briefly.
  'lib.search.answer': (_core, lib) => (q: string, opts: Record<string, unknown>) => lib.search.answer(q, { ...opts, wait: DAEMON_SEARCH_WAIT_MS }),
};

export const DEVICE_CALLS: Readonly<Record<string, (core: DaemonCore) => Served>> = {
  'vss.libraries.use': (core) => (path: string) => core.useLibrary(path),
  'vss.libraries.resolve': (core) => (path?: string): LibraryRef => {
    const lib = core.library(path !== undefined ? { path } : undefined);
    return { id: lib.id, name: lib.name, path: lib.path };
  },
  'vss.libraries.close': (core) => async (nameOrId?: string) => {
    const closed = core.vss.libraries.close(nameOrId);
    await core.release(closed.id);
    return closed;
  },
  'vss.models.add': (core) => (engine: string, path: string, opts: { id?: string; library?: string }) => core.addModel(engine, path, opts),
  'vss.models.remove': (core) => (engine: string, id?: string) => core.removeModel(engine, id),
  'vss.pairing.start': (core) => (opts: { library?: string; signal?: AbortSignal }, onCode: (code: PairingCodeInfo) => void) =>
    // A device with no library (a relay box) offers none and joins the joiner's.
    core.peers.pairStart(opts.library === undefined && !core.vss.libraries.hasCurrent() ? undefined : core.library(opts.library !== undefined ? { path: opts.library } : undefined), onCode, opts.signal),
  'vss.pairing.join': (core) => (words: string[], opts: { peer?: string; invite?: string }) => core.peers.pairJoin(words, opts),
  'vss.devices.list': (core) => () => [...core.peers.devices(), ...core.browsers.list().map((d) => browserDeviceItem(d))],
  'vss.devices.revoke': (core) => (id: string) => revokeBrowser(core.browsers, id),
  'vss.devices.unpair': (core) => (id: string) => core.peers.unpair(id),
  'vss.devices.rights': (core) => (id: string, rights?: string[]) => core.peers.rights(id, rights === undefined ? undefined : parseRights(rights)),
  'vss.devices.connect': (core) => (addr: string) => core.peers.connect(addr),
};

/** The function a `lib.F.M` or `vss.F.M` row calls, bound to its facade; undefined if there is none. */
export function servedCall(core: DaemonCore, call: string, lib: () => LibraryApi): Served | undefined {
  const [root, facade, method] = call.split('.') as [string, string, string | undefined];
  if (root === 'lib') {
    const l = lib();
    const own = LIBRARY_CALLS[call];
    if (own) return own(core, l);
    return method === undefined ? bound(l, facade) : bound((l as unknown as Record<string, unknown>)[facade], method);
  }
  const own = DEVICE_CALLS[call];
  if (own) return own(core);
  return method === undefined ? bound(core.vss, facade) : bound((core.vss as unknown as Record<string, unknown>)[facade], method);
}

function bound(owner: unknown, name: string | undefined): Served | undefined {
  if (owner === null || typeof owner !== 'object' || name === undefined) return undefined;
  const fn = (owner as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as Served).bind(owner) : undefined;
}
