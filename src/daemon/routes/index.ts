import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_KINDS, GRID_PAGE_MAX, INDEX_MODES, SIDECAR_STATUSES, UsageError, VssError, oneOf, SEARCH_MAX_LIMIT, sidecarKind, stoppedError, type LibraryApi, type SyncSettingsPatch } from '../../api/index.js';
import type { DaemonCore } from '../daemon-core.js';
import { JOB_ACTIONS, OPERATIONS, type JobAction, type OperationName } from '../../api/remote/protocol.js';
import { registerEventStream } from './events.js';
import { registerFileRoutes } from './files.js';
import { fields, int, optBool, optInt, optString, optStrings, string, uuid, type Fields } from './input.js';
import { streamed, type StreamOut } from './stream.js';

interface Call {
  core: DaemonCore;
  params: Fields;
  query: Fields;
  body: Fields;
  /** The library the URL names (`:lib`: an id or `current`). */
  lib(): LibraryApi;
}

type Handler = (c: Call) => unknown;
type StreamHandler = (c: Call, out: StreamOut) => Promise<unknown>;

const PAGE = 1000;
/** How long a search through the daemon waits for queued contents to be indexed before it answers (ms). */
const DAEMON_SEARCH_WAIT_MS = 200;
/** Tiles a grid read returns when it does not say: a few screens. */
const GRID_PAGE_DEFAULT = 200;
const mode = (v: string | undefined) => (v === undefined ? {} : { mode: oneOf(INDEX_MODES, v, '--mode') });
const page = (q: Fields) => ({ after: optString(q, 'after') ?? null, limit: optInt(q, 'limit', 1, PAGE) ?? PAGE });

/** One handler per JSON operation of the protocol table; each is a thin call into the core API. */
const HANDLERS: Partial<Record<OperationName, Handler>> = {
  device: ({ core }) => core.vss.device(),
  cpuBudgetGet: ({ core }) => core.vss.deviceSettings.cpuBudget(),
  cpuBudgetSet: ({ core, body }) => core.vss.deviceSettings.setCpuBudget(body.cores === 'default' ? 'default' : int(body, 'cores', Number.MIN_SAFE_INTEGER)), // the core says what range fits
  syncSettingsGet: ({ core }) => core.vss.deviceSettings.sync(),
  // The core checks every field of the patch and names the one that is wrong.
  syncSettingsSet: ({ core, body }) => core.vss.deviceSettings.setSync(body.patch === 'default' ? 'default' : (body.patch as SyncSettingsPatch)),
  librariesList: ({ core }) => core.vss.libraries.list(),
  librariesCreate: ({ core, body }) => core.vss.libraries.create(string(body, 'name'), { ...(optString(body, 'dir') !== undefined ? { dir: optString(body, 'dir')! } : {}) }),
  librariesUse: ({ core, body }) => core.useLibrary(string(body, 'path')),
  librariesCurrent: ({ core }) => core.vss.libraries.current(),
  librariesResolve: ({ core, body }) => {
    const path = optString(body, 'path');
    const lib = core.library(path !== undefined ? { path } : undefined);
    return { id: lib.id, name: lib.name, path: lib.path };
  },
  modelsList: ({ core }) => core.vss.models.list(),
  modelsRemove: ({ core, body }) => core.removeModel(string(body, 'engine'), optString(body, 'id')),

  locationsList: ({ lib }) => lib().locations.list(),
  locationsGet: ({ lib, params }) => lib().locations.get(int(params, 'id')),
  locationsPolicy: ({ lib, params, body }) => lib().locations.setPolicy(int(params, 'id'), optString(body, 'policy') ?? null),
  locationsPause: ({ lib, params }) => lib().locations.pause(int(params, 'id')),
  locationsResume: ({ lib, params }) => lib().locations.resume(int(params, 'id')),
  locationsRemove: ({ lib, params }) => lib().locations.remove(int(params, 'id')),

  contentList: ({ lib, query }) => lib().content.list({
    ...(optString(query, 'kind') !== undefined ? { kind: oneOf(CONTENT_KINDS, optString(query, 'kind')!, 'kind') } : {}),
    ...(optInt(query, 'location') !== undefined ? { locationId: optInt(query, 'location')! } : {}),
    ...page(query),
  }),

  gridDays: ({ lib }) => lib().browse.days(),
  gridPage: ({ lib, query }) => lib().browse.page(optInt(query, 'offset', 0) ?? 0, optInt(query, 'limit', 1, GRID_PAGE_MAX) ?? GRID_PAGE_DEFAULT),
  contentDetail: ({ lib, params }) => lib().browse.detail(uuid(string(params, 'uuid'), 'content uuid')),

  sidecarsList: ({ lib, query }) => {
    const kind = optString(query, 'kind');
    const content = optString(query, 'content');
    return lib().sidecars.list({
      ...(content !== undefined ? { contentUuid: content } : {}),
      ...(kind !== undefined ? { kind: sidecarKind(kind) } : {}),
      ...(optString(query, 'status') !== undefined ? { status: oneOf(SIDECAR_STATUSES, optString(query, 'status')!, 'status') } : {}),
      ...page(query),
    });
  },
  sidecarsPresence: ({ lib, body }) => {
    const shape = optString(body, 'shape') ?? 'items';
    if (shape !== 'items' && shape !== 'table') throw new UsageError('shape must be items or table');
    const args = [optStrings(body, 'uuids') ?? [], string(body, 'kind'), optStrings(body, 'variants')] as const;
    return shape === 'table' ? lib().sidecars.presenceTable(...args) : lib().sidecars.presence(...args);
  },
  sidecarsPath: ({ lib, body }) => lib().sidecars.path(string(body, 'uuid'), string(body, 'kind'), string(body, 'variant')),
  sidecarsGet: ({ lib, body }) => {
    const timeoutMs = optInt(body, 'timeout_ms', 1, 3_600_000);
    return lib().sidecars.get(string(body, 'uuid'), string(body, 'kind'), string(body, 'variant'), timeoutMs !== undefined ? { timeoutMs } : {});
  },
  syncStatus: ({ lib }) => lib().sync.status(),
  pairingJoin: ({ core, body }) => {
    const peer = optString(body, 'peer');
    return core.peers.pairJoin(optStrings(body, 'words') ?? [], peer !== undefined ? { peer } : {});
  },
  devicesList: ({ core }) => core.peers.devices(),
  devicesUnpair: ({ core, params }) => core.peers.unpair(string(params, 'id')), // a uuid or its start: the core checks it

  jobsList: ({ lib, query }) => lib().jobs.list({
    ...(optString(query, 'status') !== undefined ? { status: optString(query, 'status')! } : {}),
    ...(optString(query, 'kind') !== undefined ? { kind: optString(query, 'kind')! } : {}),
    ...(optString(query, 'content') !== undefined ? { contentUuid: optString(query, 'content')! } : {}),
    ...page(query),
  }),
  jobsGet: ({ lib, params }) => lib().jobs.get(int(params, 'id')),
  jobsAct: ({ lib, params }) => {
    const action = string(params, 'action');
    if (!(JOB_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown job action ${JSON.stringify(action)}`);
    return lib().jobs[action as JobAction](int(params, 'id'));
  },

  policyGet: ({ lib, query }) => lib().policy.get(optString(query, 'device_type')),
  policySet: ({ lib, body }) => lib().policy.set(string(body, 'policy'), optString(body, 'device_type')),

  // `{results, pending}`, not a bare array: the web UI's contract. A query waits for indexing only
  // briefly (each keystroke of search-as-you-type is one); `pending` says what is not indexed yet.
  search: ({ lib, query }) => lib().search.answer(string(query, 'q'), {
    kind: optString(query, 'kind'), limit: optInt(query, 'limit', 1, SEARCH_MAX_LIMIT), semantic: optBool(query, 'semantic'), model: optString(query, 'model'),
    wait: DAEMON_SEARCH_WAIT_MS,
  }),
  searchReindex: ({ lib }) => lib().search.reindex(),
};

/** The operations that answer with a stream of their events, then the result. */
const STREAM_HANDLERS: Partial<Record<OperationName, StreamHandler>> = {
  modelsAdd: async ({ core, body }, out) => {
    const library = optString(body, 'library');
    return core.addModel(string(body, 'engine'), string(body, 'path'), { ...(optString(body, 'id') !== undefined ? { id: optString(body, 'id')! } : {}), ...(library !== undefined ? { library } : {}) });
  },
  locationsAdd: async ({ lib, body }, out) => {
    const l = lib();
    out.forward(l.events, ['index:']);
    const ignore = optStrings(body, 'ignore');
    const generate = optString(body, 'generate');
    return l.locations.add(string(body, 'path'), {
      ...(optString(body, 'name') !== undefined ? { name: optString(body, 'name')! } : {}),
      ...mode(optString(body, 'mode')),
      ...(ignore ? { ignore } : {}),
      ...(generate !== undefined ? { generate } : {}),
    });
  },
  locationsRescan: async ({ lib, params, body }, out) => {
    const l = lib();
    out.forward(l.events, ['index:']);
    return l.locations.rescan(int(params, 'id'), { ...mode(optString(body, 'mode')), ...(optBool(body, 'force') ? { force: true } : {}) });
  },
  sidecarsReconcile: async ({ lib, body }, out) => {
    const l = lib();
    out.forward(l.events, ['sidecars:progress']);
    return l.sidecars.reconcile({
      verify: optBool(body, 'verify') ?? false,
      onProblem: (path, reason) => out.call('onProblem', path, reason),
      onQuarantine: (from, to, reason) => out.call('onQuarantine', from, to, reason),
    });
  },
  sidecarsConvert: async ({ lib, body }, out) => {
    const l = lib();
    out.forward(l.events, ['sidecars:progress']);
    const kind = optString(body, 'kind');
    return l.sidecars.convertReferences({ ...(kind !== undefined ? { kind } : {}), contentUuids: optStrings(body, 'uuids') ?? [] });
  },
  pairingStart: async ({ core, body }, out) => {
    const path = optString(body, 'library');
    const lib = core.library(path !== undefined ? { path } : undefined);
    return core.peers.pairStart(lib, (code) => out.event('pairing:code', code), out.signal);
  },
  jobsRun: async ({ core, lib, body }, out) => {
    const l = lib();
    out.forward(l.events, ['jobs:']);
    return core.runJobs(l, { untilIdle: optBool(body, 'until_idle') ?? false, signal: out.signal });
  },
};

/** Every route of the local API (DESIGN §12); authentication is the server's, not theirs. */
export async function registerApi(app: FastifyInstance, core: DaemonCore): Promise<void> {
  app.get('/api/health', async () => ({ ok: true, data_dir: core.vss.dataDir }));
  for (const [name, op] of Object.entries(OPERATIONS) as Array<[OperationName, (typeof OPERATIONS)[OperationName]]>) {
    const handler = HANDLERS[name];
    const streamHandler = STREAM_HANDLERS[name];
    if (!handler && !streamHandler) continue;
    app.route({
      method: op.method,
      url: op.path,
      // What a handler throws goes to the server's error handler (one mapping of errors to answers).
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const call = callOf(core, req, name);
        if (streamHandler) return streamed(req, reply, (out) => core.serve(() => streamHandler(call, out)).catch((err: unknown) => { throw cutShort(core, err); }));
        return reply.send((await core.serve(() => handler!(call))) ?? null);
      },
    });
  }
  registerEventStream(app, core);
  await registerFileRoutes(app, core);
}

/** An operation the daemon's stop cut short says so, not what the closed database said. */
function cutShort(core: DaemonCore, err: unknown): unknown {
  if (!core.stopping || err instanceof VssError) return err;
  return stoppedError(err);
}

/** The query parameters each operation reads; any other is refused rather than silently ignored. */
const QUERY_KEYS: Partial<Record<OperationName, readonly string[]>> = {
  contentList: ['kind', 'location', 'after', 'limit'],
  gridPage: ['offset', 'limit'],
  sidecarsList: ['content', 'kind', 'status', 'after', 'limit'],
  jobsList: ['status', 'kind', 'content', 'after', 'limit'],
  policyGet: ['device_type'],
  search: ['q', 'kind', 'limit', 'semantic', 'model'],
};

function callOf(core: DaemonCore, req: FastifyRequest, op: OperationName): Call {
  const allowed = QUERY_KEYS[op] ?? [];
  const query = fields(req.query);
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) throw new UsageError(`unknown query parameter ${JSON.stringify(key.slice(0, 80))}${allowed.length ? ` (this takes ${allowed.join(', ')})` : ''}`);
  }
  const params = fields(req.params);
  const libParam = optString(params, 'lib');
  return {
    core, params, query, body: fields(req.body),
    lib: () => {
      if (libParam === undefined || libParam === 'current') return core.library();
      return core.library({ id: uuid(libParam, 'library id') });
    },
  };
}
