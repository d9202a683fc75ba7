import type { FastifyInstance } from 'fastify';
import type { DaemonCore } from '../daemon-core.js';

/** Every route of the local API (DESIGN §12); authentication is the server's, not theirs. */
export async function registerApi(app: FastifyInstance, core: DaemonCore): Promise<void> {
  app.get('/api/health', async () => ({ ok: true, data_dir: core.vss.dataDir }));
}
