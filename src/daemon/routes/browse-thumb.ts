import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { UsageError, UUID_RE, VssError } from '../../api/index.js';
import { OPERATIONS } from '../../api/remote/protocol.js';
import type { DaemonCore } from '../daemon-core.js';
import { fields } from './input.js';

/**
 * The thumbnail of a file of this device read without adding it (issue 59: the explorer's tiles of
 * a folder in no location), `GET …/browse-thumb?path=ABS`: made on demand into the library's
 * bounded cache (browse/browse-thumbs.ts). This machine's user's only: no browser right opens it,
 * as none opens the listing it comes from. A file with no thumbnail answers 404 with why.
 */
export function registerBrowseThumb(app: FastifyInstance, core: DaemonCore): void {
  app.get(OPERATIONS.browseThumb.path, async (req, reply) => {
    const { lib: libId } = req.params as { lib: string };
    if (libId !== 'current' && !UUID_RE.test(libId)) throw new UsageError(`invalid library id ${JSON.stringify(libId.slice(0, 80))}`);
    const query = fields(req.query);
    for (const key of Object.keys(query)) if (key !== 'path') throw new UsageError(`unknown query parameter ${JSON.stringify(key.slice(0, 80))} (this takes path)`);
    const path = query.path;
    if (typeof path !== 'string' || path === '') throw new UsageError('path= names the file (an absolute path)');
    const gone = new AbortController();
    const onClose = (): void => { if (!reply.raw.writableFinished) gone.abort(); };
    reply.raw.on('close', onClose);
    let got;
    try {
      got = await core.library(libId === 'current' ? undefined : { id: libId }).browse.thumb(path, gone.signal);
    } finally {
      reply.raw.off('close', onClose);
    }
    if ('nothing' in got) throw new VssError('NOT_FOUND', got.nothing, { path });
    const etag = `"${got.etag}"`;
    reply.headers({ etag, 'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff' });
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('image/webp').send(await readFile(got.file));
  });
}
