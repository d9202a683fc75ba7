import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { mountSmallDisk } from '../support/small-disk.js';
import { pairedBrowser } from '../support/paired-browser.js';
import { tusCreate, tusPath, tusRequest, tusSend, type TusParty } from '../support/tus.js';

interface Status { http: string }
interface Device { kind: string; id: string; name: string }

const MiB = 1024 * 1024;
/** A photo's bytes LENGTH long: a real JPEG's, then random bytes (still a JPEG by its first bytes). */
const photoOf = (length: number) => {
  const jpeg = readFileSync(join(FIXTURES, 'exif/Canon_40D.jpg'));
  return Buffer.concat([jpeg, randomBytes(length - jpeg.length)]);
};

/**
 * Room for uploads (daemon/routes/upload-room.ts, issue 57 item 6, N3), on real small disks (a
 * tmpfs at the data dir's uploads folder; root) and a real daemon on loopback: room is held for
 * bytes that arrive, not for what creations declare, so a browser declaring large uploads it never
 * sends takes nothing from anyone; a creation that cannot fit is refused at once (413 over the
 * bound, 507 without room); a PATCH that meets a full disk says so and keeps what arrived; and
 * revoking a browser removes its unfinished uploads.
 */
describe('uploads take room as their bytes arrive', { skip: FIXTURES_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-upload-room-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const store = join(env.VSS_DATA_DIR, 'uploads');
  const photos = join(tmp.path, 'photos');
  let disk: ReturnType<typeof mountSmallDisk> = { skip: 'not mounted yet' };
  const local: TusParty = { base: '', headers: {} };
  let phone: TusParty = { base: '', headers: {} };
  const ok = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const start = async () => {
    await ok(['daemon', 'start']);
    local.base = json<Status>(await ok(['--json', 'daemon', 'status'])).http;
    local.headers = { authorization: `Bearer ${readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim()}` };
    phone = { ...phone, base: local.base };
  };
  const records = () => readdirSync(store).filter((n) => n.endsWith('.json'));

  before(async () => {
    mkdirSync(photos);
    mkdirSync(store, { recursive: true });
    // A gibibyte: before, 512 MiB of it was kept free and the rest shared out by what uploads declared.
    disk = mountSmallDisk(store, '1g');
    if ('skip' in disk) return;
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await runCli(['--json', 'library', 'create', 'T', '--path', tmp.path], offline));
    json(await runCli(['--json', 'location', 'add', photos], offline));
    await start();
    phone = await pairedBrowser(env, local.base, ['--name', 'Drop box', '--may', 'upload', '--uploads-to', join(photos, 'Phone')]);
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    if ('unmount' in disk) disk.unmount();
    tmp.cleanup();
  });

  it('holds no room for what a browser declares: uploads it never sends leave every other one the disk', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const bound = (await tusRequest(local, 'OPTIONS', '/api/uploads/tus')).headers.get('tus-max-size');
    // All but 10 MB of what the disk had for uploads (its free space less 512 MiB), declared in empty uploads.
    const st = statfsSync(store);
    let declare = st.bavail * st.bsize - 512 * MiB - 10 * MiB;
    while (declare > 0) {
      const size = Math.min(declare, 90 * MiB);
      const made = await tusCreate(phone, size, 'never-sent.jpg', 'a'.repeat(64));
      assert.equal(made.status, 201, await made.text());
      declare -= size;
    }
    assert.equal((await tusRequest(local, 'OPTIONS', '/api/uploads/tus')).headers.get('tus-max-size'), bound, 'the bound is every browser\'s, whatever one declared');
    assert.equal(bound, String(64 * 1024 ** 3), 'the bound on one upload: 64 GiB');
    // This machine's user sends 20 MB: the disk has the room, whatever was declared.
    const bytes = photoOf(20 * MiB);
    const sent = await tusSend(local, bytes, 'after-the-flood.jpg');
    assert.equal(sent.status, 200, await sent.clone().text());
    assert.deepEqual(blake3(readFileSync((await sent.json() as { path: string }).path)), blake3(bytes));
  });

  it('refuses at once a creation that cannot fit: 413 over the bound, 507 without room on the disk', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const over = await tusCreate(phone, 65 * 1024 ** 3, 'huge.mp4', 'a'.repeat(64));
    assert.equal(over.status, 413, await over.text());
    const noRoom = await tusCreate(phone, 2 * 1024 **3, 'large.mp4', 'a'.repeat(64));
    const said = await noRoom.text();
    assert.equal(noRoom.status, 507, said);
    assert.match(said, /no room for this upload of 2\.1 GB: the disk that holds uploads here has [\d.]+ [MG]B free and keeps [\d.]+ MB of it free/);
    assert.doesNotMatch(said, /\//, 'no path');
  });

  it('removes the unfinished uploads of a browser revoked', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const bytes = photoOf(4 * MiB);
    const made = await tusCreate(phone, bytes.length, 'half.jpg', blake3(bytes).toString('hex'));
    assert.equal(made.status, 201);
    const half = await tusRequest(phone, 'PATCH', tusPath(made), { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, bytes.subarray(0, 2 * MiB));
    assert.equal(half.status, 204, await half.text());
    assert.equal((await tusCreate(phone, 1000, 'empty.jpg', 'c'.repeat(64))).status, 201);
    const mine = await tusCreate(local, 1000, 'mine.jpg', 'b'.repeat(64));
    assert.equal(mine.status, 201);
    assert.ok(records().length >= 3);
    const id = json<Device[]>(await ok(['--json', 'devices', 'list'])).find((d) => d.kind === 'browser' && d.name === 'Drop box')!.id;
    await ok(['devices', 'revoke', id]);
    await until('the revoked browser\'s uploads removed', 10_000, async () => (records().length === 1 ? true : undefined), 50);
    assert.deepEqual(readdirSync(store).sort(), [tusPath(mine).split('/').pop()!, `${tusPath(mine).split('/').pop()!}.json`].sort(), 'this machine\'s upload is kept, the browser\'s bytes and records are gone');
    await tusRequest(local, 'DELETE', tusPath(mine));
  });

  it('takes a PATCH\'s bytes while the disk has room, then names the disk full and keeps what arrived', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    // A small disk now: 64 MiB, 6.4 of them kept free.
    await ok(['daemon', 'stop']);
    disk.unmount();
    disk = mountSmallDisk(store, '64m');
    if ('skip' in disk) return t.skip(disk.skip);
    await start();
    const first = photoOf(40 * MiB);
    const second = photoOf(40 * MiB);
    const a = await tusCreate(local, first.length, 'a.jpg', blake3(first).toString('hex'));
    const b = await tusCreate(local, second.length, 'b.jpg', blake3(second).toString('hex'));
    assert.deepEqual([a.status, b.status], [201, 201], 'each fits the disk alone: neither holds room it has not used');
    const patch = (made: Response, bytes: Buffer, from: number) =>
      tusRequest(local, 'PATCH', tusPath(made), { 'upload-offset': String(from), 'content-type': 'application/offset+octet-stream' }, bytes.subarray(from));
    assert.equal((await patch(a, first.subarray(0, 39 * MiB), 0)).status, 204);
    const full = await patch(b, second, 0);
    const said = await full.text();
    assert.equal(full.status, 507, said);
    assert.match(said, /the disk that holds uploads here is full .*: the [\d.]+ MB of this upload that arrived are kept\. Make room on it, then send the rest/);
    const kept = Number(full.headers.get('upload-offset'));
    assert.ok(kept > 0 && kept < second.length, `some bytes kept: ${kept}`);
    assert.equal((await tusRequest(local, 'HEAD', tusPath(b))).headers.get('upload-offset'), String(kept));
    // Room made (the other upload cancelled): the rest goes on from what was kept.
    assert.equal((await tusRequest(local, 'DELETE', tusPath(a))).status, 204);
    const rest = await patch(b, second, kept);
    assert.equal(rest.status, 200, await rest.clone().text());
    assert.deepEqual(blake3(readFileSync((await rest.json() as { path: string }).path)), blake3(second));
  });
});
