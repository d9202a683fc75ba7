import type { IncomingMessage } from 'node:http';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStore } from '@tus/file-store';
import type { MemoryLocker, Server } from '@tus/server';
import type { Upload } from '@tus/utils';
import type { FastifyInstance } from 'fastify';
import { VssError } from '../../api/index.js';
import type { UploadLanded } from '../../api/uploads.js';
import { OPERATIONS } from '../../api/remote/protocol.js';
import { UploadRefused } from '../../uploads/land-upload.js';
import { MAX_OPEN_UPLOADS, MAX_UPLOAD_BYTES, UPLOAD_EXPIRES_MS, uploadMetaOf } from '../../uploads/upload-meta.js';
import type { DaemonCore } from '../daemon-core.js';
import { partyOf } from '../request-party.js';
import { isLive } from '../../device/shares.js';
import { UPLOAD_ROUTES } from '../ui/browser-rights.js';
import { servePatch } from './upload-patch.js';
import { diskFullWords, noRoomFor, uploadRoom } from './upload-room.js';

/** The folder of the daemon's data dir that holds uploads while their bytes come: outside every location, so nothing half-sent is listed, indexed or counted. */
export const UPLOADS_DIR = 'uploads';
/** Landed uploads remembered (by upload id) for a browser that asks again after its answer was lost. */
const REMEMBERED = 1000;
/** Unfinished uploads one browser (or this machine's user) keeps at once: one cannot take every other's room. */
const OPEN_PER_OWNER = 200;
/** An upload's id as tus's FileStore makes it: anything else names no upload (nor the store's own records). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** Who sent an upload, where it lands, kept in the upload's own record (never taken from the browser's metadata). */
interface UploadOwner {
  owner: string;
  library: string;
  dir: string;
}
const OWNER_KEYS = ['vss_owner', 'vss_library', 'vss_dir'] as const;

/** Upload ID gone from STORE: its bytes (if the landing did not move them into place) and its record. */
async function forget(store: FileStore, id: string): Promise<void> {
  await rm(join(store.directory, id), { force: true });
  await store.configstore.delete(id);
}

/** A tus error: its status and text are the answer. */
function tusError(status: number, body: string): { status_code: number; body: string } {
  return { status_code: status, body: `${body}\n` };
}

/**
 * Uploads from a browser (issue 44) by the tus resumable protocol (@tus/server, its FileStore in
 * `<data-dir>/uploads/`): a browser creates an upload naming its file, the full BLAKE3 it computed
 * and its date; sends the bytes in requests it can resume after any cut (a reload, a locked
 * screen, another network, a restart of the daemon), asking how many arrived; and the last byte
 * lands the file through the core (`uploads.land`: verified against that BLAKE3, in its folder
 * inside a location, indexed) before the answer. An upload is its sender's alone; one finished
 * while the daemon was down is landed when it starts.
 */
export async function registerUploadRoutes(app: FastifyInstance, core: DaemonCore): Promise<{ sweep(): Promise<void> }> {
  const directory = join(core.vss.dataDir, UPLOADS_DIR);
  // tus (its server, store and locker) is made at the first request about an upload, or by a sweep
  // that finds one: @tus/server and its web-request layer are a sixth of a second of CPU that every
  // daemon's start would pay, and most daemons are never sent a file.
  let tusLoading: Promise<{ store: FileStore; locker: MemoryLocker; tus: Server }> | undefined;
  const tusParts = () => (tusLoading ??= makeTus());
  const storeOf = async () => (await tusParts()).store;
  const landing = new Map<string, Promise<UploadLanded>>();
  const landed = new Map<string, { owner: string; result: UploadLanded }>();
  const log = core.log.child({ module: 'uploads' });

  /** The owner key and uploads folder of the request's party: a paired browser with the upload right, or this machine's user. */
  const ownerOf = (req: IncomingMessage): UploadOwner => {
    const { browser } = partyOf(req);
    if (browser?.share) {
      // A shared album's guest (issue 61): into its share's folder, while the share lives and takes photos.
      const s = core.shares.find(browser.share.id);
      if (!s || !isLive(s) || !s.upload || !s.uploads_dir) throw new VssError('PATH_REFUSED', 'this shared album takes no photos');
      return { owner: `share:${s.id}`, library: s.library, dir: s.uploads_dir };
    }
    if (browser) {
      const device = core.browsers.find(browser.id);
      if (!device?.may.upload || !device.uploads_to) throw new VssError('PATH_REFUSED', `the browser ${browser.name} may not upload`);
      return { owner: `browser:${device.id}`, library: device.uploads_to.library, dir: device.uploads_to.dir };
    }
    const lib = core.library();
    return { owner: 'local', library: lib.id, dir: lib.uploads.defaultFolder('This computer') };
  };
  const ownerRecorded = (upload: Upload): UploadOwner | undefined => {
    const m = upload.metadata ?? {};
    return m.vss_owner && m.vss_library && m.vss_dir ? { owner: m.vss_owner, library: m.vss_library, dir: m.vss_dir } : undefined;
  };
  /** The owner of a request the tus server hands a hook (srvx's request, the node one inside): refused as tus answers. */
  const tusOwner = (req: unknown): UploadOwner => {
    const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
    if (!node) throw tusError(500, 'the request is not Node\'s');
    try {
      return ownerOf(node);
    } catch (err) {
      throw tusError(403, (err as Error).message);
    }
  };

  /** Land the finished upload ID once, however many ask (its last PATCH, the browser's finish, the start's sweep); WRITTEN: its BLAKE3 as its bytes were written, when known. */
  const landOnce = (id: string, written?: string): Promise<UploadLanded> => {
    const known = landed.get(id);
    if (known) return Promise.resolve(known.result);
    let p = landing.get(id);
    if (p) return p;
    p = (async () => {
      const store = await storeOf();
      const upload = await store.getUpload(id).catch(() => {
        throw new VssError('NOT_FOUND', `no upload ${id} (landed already, expired, or never made)`);
      });
      if (upload.size === undefined || upload.offset !== upload.size) throw new VssError('WRONG_STATE', `the upload ${id} has ${upload.offset} of ${upload.size ?? '?'} bytes: send the rest first`);
      const owner = ownerRecorded(upload);
      if (!owner) throw new VssError('IO', `the upload ${id} has no owner on record`);
      const meta = uploadMetaOf(upload.metadata ?? {});
      const file = join(directory, id);
      let result: UploadLanded;
      const started = performance.now();
      try {
        result = await core.serve(() => core.library({ id: owner.library }).uploads.land(file, meta, owner.dir, written));
      } catch (err) {
        // Bytes that are not what the browser hashed, or not a photo or a video, are never kept.
        if (err instanceof UploadRefused) await store.remove(id).catch(() => undefined);
        throw err;
      }
      // A guest's photo joins its shared album (the album as shared data, made on the guest's behalf by this device).
      if (owner.owner.startsWith('share:')) {
        const s = core.shares.find(owner.owner.slice('share:'.length));
        if (s) await core.serve(async () => core.library({ id: s.library }).albums.add(s.album, [result.path]));
      }
      landed.set(id, { owner: owner.owner, result });
      if (landed.size > REMEMBERED) landed.delete(landed.keys().next().value!);
      await forget(store, id).catch((err: unknown) => log.warn({ err, id }, 'a landed upload\'s bytes could not be removed'));
      log.info({ id, path: result.path, already: result.already, landing_ms: Math.round(performance.now() - started) }, 'upload landed');
      return result;
    })().finally(() => landing.delete(id));
    landing.set(id, p);
    return p;
  };

  /** The uploads kept now (unfinished, or finished and not landed yet), each with its record. */
  const kept = async (): Promise<Upload[]> => {
    const uploads: Upload[] = [];
    const store = await storeOf();
    for (const name of await readdir(directory).catch(() => [] as string[])) {
      if (!name.endsWith('.json') || !UPLOAD_ID.test(name.slice(0, -5))) continue;
      const upload = await store.getUpload(name.slice(0, -5)).catch(() => undefined);
      if (upload) uploads.push(upload);
    }
    return uploads;
  };

  /** The unfinished uploads kept now: how many each owner has. */
  const openUploads = async (): Promise<{ total: number; byOwner: Map<string, number> }> => {
    const byOwner = new Map<string, number>();
    const all = await kept();
    for (const upload of all) {
      const owner = ownerRecorded(upload)?.owner ?? '?';
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
    }
    return { total: all.length, byOwner };
  };

  /** The unfinished uploads of the owners WHO picks (browsers revoked) removed with their bytes: a PATCH of theirs writing now is asked to let go first. */
  const dropUploadsOf = async (who: (owner: string) => boolean): Promise<void> => {
    const { store, locker } = await tusParts();
    for (const upload of await kept()) {
      const owner = ownerRecorded(upload)?.owner;
      if (owner === undefined || !who(owner) || upload.offset === upload.size) continue;
      const lock = locker.newLock(upload.id);
      await lock.lock(new AbortController().signal, () => undefined);
      try {
        await forget(store, upload.id);
      } finally {
        await lock.unlock();
      }
      log.info({ id: upload.id, owner, bytes: upload.offset }, 'an unfinished upload of a revoked browser removed');
    }
  };
  /** Whether OWNER is a browser paired no more (revoked now, or while the daemon was stopped). */
  const revokedOwner = (owner: string) => (owner.startsWith('browser:') && !core.browsers.list().some((d) => `browser:${d.id}` === owner))
    || (owner.startsWith('share:') && !core.shares.list().some((s) => `share:${s.id}` === owner && isLive(s)));
  core.browsers.onRevoked((id) => {
    // Nothing kept (no folder, or an empty one): tus is not loaded for it.
    void readdir(directory).then((names) => (names.length > 0 ? dropUploadsOf((owner) => owner === `browser:${id}`) : undefined))
      .catch((err: unknown) => log.warn({ err, id }, 'the uploads of a revoked browser could not be removed'));
  });

  /** The answer to the request that brought an upload's last byte: where it landed, or why not (never a path of this machine). */
  const landAnswer = async (id: string, written: string | undefined): Promise<{ status: number; body: string }> => {
    try {
      return { status: 200, body: JSON.stringify(await landOnce(id, written)) };
    } catch (err) {
      if (err instanceof UploadRefused) return { status: 422, body: `${err.message}\n` };
      log.error({ err, id }, 'an upload could not be landed');
      return { status: 500, body: 'the upload arrived whole but could not be put in place: try again\n' };
    }
  };

  async function makeTus(): Promise<{ store: FileStore; locker: MemoryLocker; tus: Server }> {
    const [{ FileStore }, { MemoryLocker, Server, EVENTS }] = await Promise.all([import('@tus/file-store'), import('@tus/server')]);
    // The store makes its folder without waiting (as it is made): the request that made it comes next, so the folder is made first.
    await mkdir(directory, { recursive: true, mode: 0o777 });
    const store = new FileStore({ directory, expirationPeriodInMilliseconds: UPLOAD_EXPIRES_MS });
    // One locker for tus's requests and the PATCHes served here (upload-patch.ts): an upload is written by one request at a time.
    const locker = new MemoryLocker();
    const tus = new Server({
      path: UPLOAD_ROUTES[0],
      datastore: store,
      locker,
      relativeLocation: true,
      // The bound on one upload, the same for every browser (over it: 413); whether the disk has room is asked of each creation (507).
      maxSize: MAX_UPLOAD_BYTES,
      onUploadCreate: async (req, upload) => {
        const owner = tusOwner(req);
        if (upload.size === undefined) throw tusError(400, 'an upload declares its length when it is made');
        try {
          uploadMetaOf(upload.metadata ?? {});
        } catch (err) {
          throw tusError(400, (err as Error).message);
        }
        const open = await openUploads();
        if ((open.byOwner.get(owner.owner) ?? 0) >= OPEN_PER_OWNER) throw tusError(429, `${OPEN_PER_OWNER} of this browser's uploads are unfinished: finish or cancel some first (they expire in ${UPLOAD_EXPIRES_MS / 86_400_000} days)`);
        if (open.total >= MAX_OPEN_UPLOADS) throw tusError(429, `${MAX_OPEN_UPLOADS} uploads are unfinished here: finish or cancel some first`);
        // One that cannot fit now is refused now, not taken and then failed at its bytes for ever.
        const noRoom = noRoomFor(upload.size, uploadRoom(directory));
        if (noRoom) throw tusError(507, noRoom);
        const metadata: Record<string, string | null> = {};
        for (const [k, v] of Object.entries(upload.metadata ?? {})) if (!(OWNER_KEYS as readonly string[]).includes(k)) metadata[k] = v;
        return { metadata: { ...metadata, vss_owner: owner.owner, vss_library: owner.library, vss_dir: owner.dir } };
      },
      onIncomingRequest: async (req, id) => {
        const owner = tusOwner(req);
        // Only an upload's own id: `ID.json` would name the store's record of it, not an upload.
        if (!UPLOAD_ID.test(id)) throw tusError(404, 'The file for this url was not found');
        const upload = await store.getUpload(id).catch(() => undefined);
        // Another's upload is as if it did not exist: its id tells nothing.
        if (upload && ownerRecorded(upload)?.owner !== owner.owner) throw tusError(404, 'The file for this url was not found');
      },
      // A failure inside says what failed, never where the data dir is.
      onResponseError: (_req, err) => {
        // tus's own answers and ours carry a body; an error thrown inside (a file's path in its message) does not.
        if ('body' in err && typeof err.body === 'string') return undefined;
        log.warn({ err }, 'an upload request failed');
        return { status_code: 'status_code' in err && typeof err.status_code === 'number' ? err.status_code : 500, body: 'The upload could not be handled here: try again\n' };
      },
      // Only an upload made with its bytes lands here (the PATCH is the daemon's own, below): its
      // answer is a creation's (201, with its Location), carrying where it landed.
      onUploadFinish: async (_req, upload) => {
        const landed = await landAnswer(upload.id, undefined);
        if (landed.status !== 200) throw tusError(landed.status, landed.body.trimEnd());
        // Landed, it has no expiry to tell: tus would read its record back for Upload-Expires, gone by now, and answer 404.
        upload.creation_date = undefined;
        return { status_code: 201, headers: { 'content-type': 'application/json' }, body: landed.body };
      },
    });
    tus.on(EVENTS.POST_CREATE, (_req, upload) => log.debug({ id: upload.id, size: upload.size }, 'upload begun'));
    return { store, locker, tus };
  }

  // tus's bodies are streams for the tus server to read: fastify leaves them as they came.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  for (const url of UPLOAD_ROUTES) {
    app.route({
      method: ['POST', 'HEAD', 'DELETE', 'OPTIONS'],
      url,
      handler: async (req, reply) => {
        const { tus } = await tusParts();
        reply.hijack();
        await tus.handle(req.raw, reply.raw);
      },
    });
  }
  // The bytes themselves: served here, straight from the request to the file (upload-patch.ts).
  app.route({
    method: 'PATCH',
    url: UPLOAD_ROUTES[1],
    handler: async (req, reply) => {
      const id = (req.params as { '*': string })['*'];
      let owner: UploadOwner;
      try {
        owner = ownerOf(req.raw);
      } catch (err) {
        return reply.code(403).header('tus-resumable', '1.0.0').send(`${(err as Error).message}\n`);
      }
      if (!UPLOAD_ID.test(id)) return reply.code(404).header('tus-resumable', '1.0.0').send('The file for this url was not found\n');
      const { store, locker } = await tusParts();
      reply.hijack();
      await servePatch({
        locker,
        path: (uploadId) => join(directory, uploadId),
        upload: async (_req, uploadId) => {
          const upload = await store.getUpload(uploadId).catch(() => undefined);
          // Another's upload is as if it did not exist.
          return upload && ownerRecorded(upload)?.owner === owner.owner ? upload : undefined;
        },
        failed: async (uploadId) => {
          log.error({ id: uploadId }, 'a flush of an upload\'s bytes failed: removed, to be sent again');
          await store.remove(uploadId).catch(() => undefined);
        },
        expired: (upload) => upload.creation_date !== undefined && Date.parse(upload.creation_date) + UPLOAD_EXPIRES_MS < Date.now(),
        room: () => {
          const room = uploadRoom(directory);
          return { bytes: room.bytes, full: (kept) => diskFullWords(room, kept) };
        },
        finished: landAnswer,
      }, id, req.raw, reply.raw).catch((err: unknown) => {
        log.error({ err, id }, 'an upload\'s PATCH failed');
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'tus-resumable': '1.0.0' }).end('The upload could not be handled here: try again\n');
      });
    },
  });

  app.post(OPERATIONS.uploadsCheck.path, async (req) => {
    const body = (req.body ?? {}) as { cas_ids?: unknown };
    const owner = ownerOf(req.raw);
    // A guest learns nothing of what the library holds: everything is sent, and a photo the library has lands as "already" (and joins the album).
    if (owner.owner.startsWith('share:')) return { have: [] };
    return core.serve(async () => core.library({ id: owner.library }).uploads.check(body.cas_ids));
  });
  app.post(OPERATIONS.uploadsFinish.path, async (req) => {
    const body = (req.body ?? {}) as { id?: unknown };
    if (typeof body.id !== 'string' || !/^[0-9a-f]{32}$/.test(body.id)) throw new VssError('USAGE', 'id is an upload\'s id (32 hex digits)');
    const owner = ownerOf(req.raw);
    const upload = await (await storeOf()).getUpload(body.id).catch(() => undefined);
    const was = landed.get(body.id);
    if ((upload && ownerRecorded(upload)?.owner !== owner.owner) || (was && was.owner !== owner.owner)) throw new VssError('NOT_FOUND', `no upload ${body.id}`);
    return landOnce(body.id);
  });

  return {
    /** Land the uploads that arrived whole while the daemon stopped before landing them; remove those expired. */
    async sweep(): Promise<void> {
      // No upload kept (no folder, or an empty one): nothing to land or expire, and tus is not loaded for it.
      if ((await readdir(directory).catch(() => [] as string[])).length === 0) return;
      const { tus, store } = await tusParts();
      await tus.cleanUpExpiredUploads().catch((err: unknown) => log.warn({ err }, 'expired uploads could not be removed'));
      await dropUploadsOf(revokedOwner).catch((err: unknown) => log.warn({ err }, 'the uploads of revoked browsers could not be removed'));
      const names = new Set(await readdir(directory).catch(() => [] as string[]));
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        const id = name.slice(0, -5);
        if (!UPLOAD_ID.test(id)) continue;
        const upload = await store.getUpload(id).catch(() => undefined);
        // A record without its bytes: a landing moved them into place and stopped before forgetting the record.
        if (!upload && !names.has(id)) await store.configstore.delete(id).catch(() => undefined);
        if (!upload || upload.size === undefined || upload.offset !== upload.size) continue;
        await landOnce(id).catch((err: unknown) => log.warn({ err, id }, 'a finished upload could not be landed'));
      }
    },
  };
}
