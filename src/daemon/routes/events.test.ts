import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../../../test/helpers.js';
import { Vss } from '../../api/index.js';
import { DaemonCore } from '../daemon-core.js';
import { createApiServer, type ApiServer } from '../server.js';
import { registerApi } from './index.js';

const TOKEN = 'B'.repeat(43);

describe('the event stream is bounded', () => {
  const tmp = tempDir('vss-sse-');
  let server: ApiServer;
  let core: DaemonCore;
  const open: http.ClientRequest[] = [];

  before(async () => {
    const log = pino({ level: 'silent' });
    core = await DaemonCore.start({ vss: new Vss({ dataDir: join(tmp.path, 'data') }), log });
    server = createApiServer({ log, token: TOKEN });
    await registerApi(server.app, core);
    await server.listen({ socket: join(tmp.path, 'd.sock'), port: 0 });
  });
  after(async () => {
    for (const r of open) r.destroy();
    await core.close();
    await server.close();
    tmp.cleanup();
  });

  const connect = () => new Promise<number>((resolve, reject) => {
    const req = http.get({ socketPath: join(tmp.path, 'd.sock'), path: '/api/events', headers: { authorization: `Bearer ${TOKEN}` }, timeout: 5000 }, (res) => {
      resolve(res.statusCode ?? 0);
      if (res.statusCode !== 200) res.resume();
    });
    req.on('error', reject);
    open.push(req);
  });

  it('refuses more than 64 open streams with 503, and takes a new one once one closes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 64; i++) statuses.push(await connect());
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(await connect(), 503);
    open[0]!.destroy();
    const deadline = Date.now() + 5000;
    let again = 503;
    while (again === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      again = await connect();
    }
    assert.equal(again, 200);
  });
});
