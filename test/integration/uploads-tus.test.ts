import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Status { http: string }

/**
 * The tus routes' own bounds (daemon/routes/uploads.ts), over a real daemon on loopback with this
 * machine's token: only an upload's own id names one (its record, `ID.json`, is never reached),
 * one party cannot keep more than its share of unfinished uploads, and a failure inside never
 * tells where the data dir is. Room on the disk: uploads-room.test.ts.
 */
describe('the tus routes keep their bounds', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-tus-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let base = '';
  let auth: Record<string, string> = {};
  const tus = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) =>
    fetch(`${base}${path}`, { method, headers: { ...auth, 'tus-resumable': '1.0.0', ...headers }, ...(body ? { body } : {}) });
  const metadata = (name: string) => `filename ${Buffer.from(name).toString('base64')},blake3 ${Buffer.from('a'.repeat(64)).toString('base64')}`;
  const create = (length: string | number, name = 'a.jpg') => tus('POST', '/api/uploads/tus', { 'upload-length': String(length), 'upload-metadata': metadata(name) });

  before(async () => {
    const photos = join(tmp.path, 'photos');
    mkdirSync(photos);
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await runCli(['--json', 'library', 'create', 'T', '--path', tmp.path], offline));
    json(await runCli(['--json', 'location', 'add', photos], offline));
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    base = json<Status>(await runCli(['--json', 'daemon', 'status'], env)).http;
    auth = { authorization: `Bearer ${readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim()}` };
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('names an upload by its own id only: its record cannot be removed as if it were one', async () => {
    const made = await create(1000);
    assert.equal(made.status, 201, await made.text());
    const id = made.headers.get('location')!.split('/').pop()!;
    for (const method of ['DELETE', 'HEAD', 'PATCH']) {
      const r = await tus(method, `/api/uploads/tus/${id}.json`, method === 'PATCH' ? { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } : {}, method === 'PATCH' ? Buffer.alloc(10) : undefined);
      assert.equal(r.status, 404, `${method} ${id}.json`);
      assert.doesNotMatch(await r.text(), new RegExp(tmp.path.replace(/[/.]/g, '\\$&')), 'no path of this machine');
    }
    assert.ok(existsSync(join(env.VSS_DATA_DIR, 'uploads', `${id}.json`)), 'the record is where it was');
    assert.equal((await tus('HEAD', `/api/uploads/tus/${id}`)).status, 200);
    assert.equal((await tus('DELETE', `/api/uploads/tus/${id}`)).status, 204);
  });

  it('lands only bytes that hash as declared, whoever wrote them: a PATCH taken over mid-way never leaves its hash trusted', async (t) => {
    if (FIXTURES_SKIP) return t.skip(FIXTURES_SKIP);
    const photo = readFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'));
    const hash = blake3(photo).toString('hex');
    for (const honestFirst of [true, false]) {
      const made = await tus('POST', '/api/uploads/tus', { 'upload-length': String(photo.length), 'upload-metadata': `filename ${Buffer.from(`train-${honestFirst}.jpg`).toString('base64')},blake3 ${Buffer.from(hash).toString('base64')}` });
      assert.equal(made.status, 201);
      const at = new URL(made.headers.get('location')!, base);
      // The first PATCH sends a megabyte (the photo's, or other bytes) and stalls, its connection open.
      const first = honestFirst ? photo.subarray(0, 1 << 20) : randomBytes(1 << 20);
      const stalled = request(at, { method: 'PATCH', headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(photo.length) } });
      const answered = new Promise<number>((resolve) => { stalled.on('response', (r) => { r.resume(); resolve(r.statusCode ?? 0); }); stalled.on('error', () => resolve(0)); });
      stalled.write(first);
      await until('the first megabyte on disk', 10_000, async () => (statSync(join(env.VSS_DATA_DIR, 'uploads', at.pathname.split('/').pop()!)).size === 1 << 20 ? true : undefined), 20);
      // The sender again (a cut it did not see), from the offset the daemon has: it takes the upload over.
      const head = await tus('HEAD', at.pathname);
      const offset = Number(head.headers.get('upload-offset'));
      assert.equal(offset, 1 << 20);
      assert.equal(await answered, 423, 'the stalled PATCH let go');
      const rest = await tus('PATCH', at.pathname, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, photo.subarray(offset));
      if (honestFirst) {
        assert.equal(rest.status, 200, await rest.clone().text());
        const landed = JSON.parse(await rest.text()) as { path: string };
        assert.equal(blake3(readFileSync(landed.path)).toString('hex'), hash);
      } else {
        assert.equal(rest.status, 422, 'bytes that do not hash as declared are never landed');
      }
      stalled.destroy();
    }
  });

  it('refuses a name that is not a photo\'s or a video\'s before a byte is taken', async () => {
    for (const name of ['page.html', 'a\u202Egpj.exe', '.hidden.jpg']) assert.equal((await create(10, name)).status, 400, name);
  });

  it('keeps one party to its share of unfinished uploads', async () => {
    const made: string[] = [];
    for (let i = 0; ; i++) {
      const r = await create(10);
      if (r.status === 429) {
        assert.match(await r.text(), /unfinished/);
        break;
      }
      assert.equal(r.status, 201);
      made.push(r.headers.get('location')!);
      assert.ok(i < 300, 'bounded');
    }
    assert.equal(made.length, 200);
    for (const at of made) await tus('DELETE', new URL(at, base).pathname);
    assert.deepEqual(readdirSync(join(env.VSS_DATA_DIR, 'uploads')), []);
  });
});
