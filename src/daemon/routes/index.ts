import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UsageError, VssError, stoppedError, type LibraryApi } from '../../api/index.js';
import { OPERATIONS, type OperationName, type OperationSpec } from '../../api/remote/protocol.js';
import type { DaemonCore } from '../daemon-core.js';
import { servedCall } from '../served-calls.js';
import { partyOf } from '../request-party.js';
import { callArgs, queryFields, type RequestParts } from './call-args.js';
import { registerEventStream } from './events.js';
import { registerFileRoutes } from './files.js';
import { fields, optString, uuid } from './input.js';
import { streamed } from './stream.js';

/**
 * Every route of the local API (DESIGN §12), made from the operation table: a row with a `call`
 * becomes a route that reads its arguments as the row says and calls the core API (or the
 * daemon's own way of it, served-calls.ts); files, events and sign-in have handlers of their own.
 * Authentication is the server's, not the routes'.
 */
export async function registerApi(app: FastifyInstance, core: DaemonCore): Promise<void> {
  app.get('/api/health', async () => ({ ok: true, data_dir: core.vss.dataDir }));
  for (const [name, op] of Object.entries(OPERATIONS) as Array<[OperationName, OperationSpec]>) {
    const call = op.call;
    if (call === undefined) continue;
    const allowed = queryFields(op);
    app.route({
      method: op.method,
      url: op.path,
      // What a handler throws goes to the server's error handler (one mapping of errors to answers).
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const parts = requestParts(req, allowed);
        const lib = libraryOf(core, parts);
        const fn = () => {
          const f = servedCall(core, call, lib);
          if (!f) throw new VssError('IO', `the daemon serves no ${call} (operation ${name})`);
          return f;
        };
        if (op.stream) {
          return streamed(req, reply, (out) => core.serve(() => {
            if (op.stream?.events?.length) out.forward(lib().events, op.stream.events);
            return fn()(...callArgs(op, parts, out));
          }).catch((err: unknown) => { throw cutShort(core, err); }));
        }
        return reply.send((await core.serve(() => fn()(...callArgs(op, parts)))) ?? null);
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

function requestParts(req: FastifyRequest, allowed: readonly string[]): RequestParts {
  const query = fields(req.query);
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) throw new UsageError(`unknown query parameter ${JSON.stringify(key.slice(0, 80))}${allowed.length ? ` (this takes ${allowed.join(', ')})` : ''}`);
  }
  return { params: fields(req.params), query, body: fields(req.body), party: { party: partyOf(req.raw).browser ? 'browser' : 'local' } };
}

/** The library the URL names (`:lib`: an id or `current`), opened on first use. */
function libraryOf(core: DaemonCore, parts: RequestParts): () => LibraryApi {
  const libParam = optString(parts.params, 'lib');
  return () => (libParam === undefined || libParam === 'current' ? core.library() : core.library({ id: uuid(libParam, 'library id') }));
}
