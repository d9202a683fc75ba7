import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../../test/helpers.js';
import { VssError } from '../core/errors.js';
import { createApiServer, type ApiServer } from './server.js';

const TOKEN = 'A'.repeat(43);

function request(opts: http.RequestOptions, body?: string | Buffer): Promise<{ status: number; json: { error?: { code: string; message: string; path?: string } } & Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ timeout: 5_000, ...opts, headers: { authorization: `Bearer ${TOKEN}`, ...opts.headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('the API server: one app on the socket and on 127.0.0.1, JSON errors, bounded bodies, prompt close', () => {
  const tmp = tempDir('vss-srv-');
  const socket = join(tmp.path, 'd.sock');
  let server: ApiServer;
  let port = 0;

  before(async () => {
    server = createApiServer({ log: pino({ level: 'silent' }), token: TOKEN });
    server.app.get('/missing', async () => { throw new VssError('NOT_FOUND', 'no content abc'); });
    server.app.get('/locked', async () => { throw new VssError('LIBRARY_LOCKED', 'library is in use', { path: '/lib' }); });
    server.app.get('/usage', async () => { throw new VssError('USAGE', 'unknown kind'); });
    server.app.get('/bug', async () => { throw new Error('a bug'); });
    server.app.post('/echo', async (req) => ({ got: req.body }));
    server.app.get('/stream', (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: hello\n\n');
      // Never ends by itself, like an event stream.
    });
    ({ port } = await server.listen({ socket, port: 0 }));
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('maps core errors to HTTP statuses with {error: {code, message, path}}', async () => {
    for (const via of [{ socketPath: socket }, { host: '127.0.0.1', port }]) {
      const missing = await request({ ...via, path: '/missing' });
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json, { error: { code: 'NOT_FOUND', message: 'no content abc' } });
      const locked = await request({ ...via, path: '/locked' });
      assert.equal(locked.status, 409);
      assert.deepEqual(locked.json.error, { code: 'LIBRARY_LOCKED', message: 'library is in use', path: '/lib' });
      assert.equal((await request({ ...via, path: '/usage' })).status, 400);
      const bug = await request({ ...via, path: '/bug' });
      assert.equal(bug.status, 500);
      assert.equal(bug.json.error?.code, 'INTERNAL');
    }
  });

  it('takes JSON bodies up to 1 MiB and refuses larger ones and bad JSON as JSON errors', async () => {
    const headers = { 'content-type': 'application/json' };
    const ok = await request({ socketPath: socket, path: '/echo', method: 'POST', headers }, JSON.stringify({ a: 1 }));
    assert.deepEqual(ok.json, { got: { a: 1 } });
    const big = await request({ socketPath: socket, path: '/echo', method: 'POST', headers }, JSON.stringify({ a: 'x'.repeat(1024 * 1024) }));
    assert.equal(big.status, 413);
    assert.equal(big.json.error?.code, 'BODY_TOO_LARGE');
    const bad = await request({ socketPath: socket, path: '/echo', method: 'POST', headers }, '{"a":');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error?.code, 'BAD_REQUEST');
  });

  it('refuses a request with two Host headers (or two Authorization headers), on TCP and on the socket', async () => {
    // Node keeps only the first Host: a second one (a proxy's, a rebinding page's) must not slip by unseen.
    const raw = (connect: () => net.Socket, head: string) => new Promise<string>((resolve, reject) => {
      const s = connect();
      let text = '';
      s.setTimeout(5_000, () => s.destroy(new Error('timed out')));
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
      s.end(`${head}Connection: close\r\n\r\n`);
    });
    const tcp = () => net.connect(port, '127.0.0.1');
    const unix = () => net.connect(socket);
    const auth = `Authorization: Bearer ${TOKEN}\r\n`;
    const good = await raw(tcp, `GET /missing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth}`);
    assert.match(good, /^HTTP\/1\.1 404/);
    for (const [connect, head] of [
      [tcp, `GET /missing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\n${auth}`],
      [unix, `GET /missing HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n${auth}`],
      [tcp, `GET /missing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth}Authorization: Bearer wrong\r\n`],
    ] as const) {
      const answer = await raw(connect, head);
      assert.match(answer, /^HTTP\/1\.1 400/, answer.split('\r\n')[0]);
      assert.match(answer, /"code":"BAD_REQUEST"/);
      assert.match(answer, /more than one (Host|Authorization) header/);
    }
  });

  it('refuses a socket path too long for the platform, saying so', async () => {
    const other = createApiServer({ log: pino({ level: 'silent' }), token: TOKEN });
    try {
      await assert.rejects(other.listen({ socket: join(tmp.path, 'x'.repeat(120)), port: 0 }), /too long for a Unix socket/);
    } finally {
      await other.close();
    }
  });

  it('close() ends an open event stream at once instead of waiting for it', async () => {
    const streamOpen = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ socketPath: socket, path: '/stream', headers: { authorization: `Bearer ${TOKEN}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
    const res = await streamOpen;
    const ended = new Promise<void>((resolve) => { res.on('close', () => resolve()); res.resume(); });
    const t0 = Date.now();
    await server.close();
    await ended;
    assert.ok(Date.now() - t0 < 3_000, `closed in ${Date.now() - t0} ms`);
  });
});
