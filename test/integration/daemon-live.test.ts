import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { killRecorded, markedProcesses, PROC_SKIP, survivorsAfter, waitForMarked, type MarkedProcess } from '../process-tree.js';

interface Content { content_uuid: string; paths: string[] }
interface Sidecar { content_uuid: string; kind: string; variant: string; status: string; checksum: string | null; path: string | null }
interface Status { running: boolean; pid: number; http: string; socket: string }
interface Job { id: number; kind: string; status: string; attempts: number }


describe('daemon: a watched deep location keeps itself up to date', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-live-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('makes the thumbnail of a dropped file with no command run; a rename keeps it; a delete leaves the index', async () => {
    mkdirSync(photos);
    assert.equal((await runCli(['library', 'create', 'Live', '--path', tmp.path], env)).code, 0);
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    const added = await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', 'thumb=grid@1x'], env);
    assert.equal(added.code, 0, added.stderr);

    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'a.jpg'));
    const thumb = await until('the thumbnail of a.jpg', 30_000, async () => {
      const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], env));
      return rows.find((r) => r.variant === 'grid@1x' && r.status === 'ready');
    });
    assert.ok(thumb.path && existsSync(thumb.path));

    renameSync(join(photos, 'a.jpg'), join(photos, 'b.jpg'));
    const renamed = await until('the rename in the index', 15_000, async () => {
      const list = json<Content[]>(await runCli(['content', 'list', '--json'], env));
      return list.length === 1 && list[0]!.paths.length === 1 && list[0]!.paths[0]!.endsWith('b.jpg') ? list[0] : undefined;
    });
    assert.equal(renamed.content_uuid, thumb.content_uuid, 'the same content');
    const after = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], env)).find((r) => r.variant === 'grid@1x');
    assert.equal(after?.status, 'ready');
    assert.equal(after?.checksum, thumb.checksum, 'the same thumbnail, not made again');

    rmSync(join(photos, 'b.jpg'));
    await until('the delete in the index', 15_000, async () => {
      const list = json<Content[]>(await runCli(['content', 'list', '--json'], env));
      return list.length === 0 ? true : undefined;
    });

    // Changes made while no daemon watched are found by the rescan at its next start.
    assert.equal((await runCli(['daemon', 'stop'], env)).code, 0);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'while-down.jpg'));
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    await until('the file written while the daemon was down', 15_000, async () => {
      const list = json<Content[]>(await runCli(['content', 'list', '--json'], env));
      return list.some((c) => c.paths.some((p) => p.endsWith('while-down.jpg'))) ? true : undefined;
    });
  });
});

describe('daemon: kill -9 in the middle of work', { skip: FIXTURES_SKIP || PROC_SKIP }, () => {
  const tmp = tempDir('vss-kill-');
  const mark = randomUUID();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_TEST_MARK: mark };
  const media = join(tmp.path, 'media');
  let seen: MarkedProcess[] = [];
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    killRecorded([...seen, ...markedProcesses(mark)]);
    tmp.cleanup();
  });

  it('loses nothing, leaves no tool running, and the next start finishes the work', async () => {
    mkdirSync(media);
    for (const v of readdirSync(join(FIXTURES, 'video'))) copyFileSync(join(FIXTURES, 'video', v), join(media, v));
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(media, 'photo.jpg'));
    assert.equal((await runCli(['library', 'create', 'Kill', '--path', tmp.path], env)).code, 0);
    const start = await runCli(['daemon', 'start'], env);
    assert.equal(start.code, 0, start.stderr);
    const status = json<Status>(await runCli(['daemon', 'status', '--json'], env));
    assert.equal((await runCli(['location', 'add', media, '--mode', 'deep', '--generate', 'thumb=grid@1x,proxy=quick'], env)).code, 0);

    seen = await waitForMarked(mark, (p) => p.argv.some((a) => /ffmpeg/.test(a)), 60_000, 'ffmpeg making a proxy');
    process.kill(status.pid, 'SIGKILL');
    const survivors = await survivorsAfter(mark, seen, 10_000);
    assert.deepEqual(survivors.map((p) => p.argv.join(' ')), [], 'no tool outlives the killed daemon');

    const again = await runCli(['daemon', 'start'], env);
    assert.equal(again.code, 0, `a dead daemon's leftovers are replaced: ${again.stderr}`);
    await until('every sidecar made', 120_000, async () => {
      const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--json'], env));
      const open = rows.filter((r) => r.status !== 'ready' && r.status !== 'failed');
      return rows.length > 0 && open.length === 0 ? rows : undefined;
    });
    const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--json'], env));
    assert.deepEqual(rows.filter((r) => r.status !== 'ready').map((r) => `${r.kind}/${r.variant} ${r.status}`), [], 'nothing failed because of the kill');
    for (const r of rows) assert.ok(r.path && existsSync(r.path), `${r.kind}/${r.variant} is on disk`);
    const jobs = json<Job[]>(await runCli(['jobs', 'list', '--json'], env));
    assert.deepEqual(jobs.filter((j) => j.status !== 'completed').map((j) => `${j.kind} ${j.status}`), []);
    const tmpLeft = readdirSync(join(tmp.path, 'Kill.sdlibrary', 'sidecars'), { recursive: true }).map(String).filter((f) => /\.tmp|\.partial/.test(f));
    assert.deepEqual(tmpLeft, [], 'no temporary file left in sidecars/');
  });
});

describe('daemon: the local HTTP API', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-http-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const media = join(tmp.path, 'media');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('needs the token, refuses hostile addresses and answers a Range request on a proxy with 206', async () => {
    mkdirSync(media);
    copyFileSync(join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'), join(media, 'clip.mp4'));
    assert.equal((await runCli(['library', 'create', 'Http', '--path', tmp.path], env)).code, 0);
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    const status = json<Status>(await runCli(['daemon', 'status', '--json'], env));
    assert.match(status.http, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback only');
    const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await runCli(['location', 'add', media, '--mode', 'deep', '--generate', 'proxy=quick'], env)).code, 0);
    const proxy = await until('the proxy', 90_000, async () => {
      const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'proxy', '--json'], env));
      return rows.find((r) => r.status === 'ready');
    });
    const lib = json<{ id: string }>(await runCli(['library', 'current', '--json'], env)).id;
    const url = `${status.http}/api/libraries/${lib}/sidecars/${proxy.content_uuid}/proxy/quick`;

    assert.equal((await fetch(url)).status, 401, 'no token');
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401, 'a wrong token');
    const whole = await fetch(url, { headers: auth });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('etag'), `"${proxy.checksum}"`);
    const bytes = readFileSync(proxy.path!);
    assert.equal(Buffer.from(await whole.arrayBuffer()).equals(bytes), true);
    const part = await fetch(url, { headers: { ...auth, range: 'bytes=100-1099' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-1099/${bytes.length}`);
    assert.equal(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 1100)), true);

    const notARange = await fetch(url, { headers: { ...auth, range: 'bytes=abc' } });
    assert.equal(notARange.status, 200, 'a Range that is not a byte range is ignored (RFC 9110)');
    assert.equal(Buffer.from(await notARange.arrayBuffer()).length, bytes.length);

    const base = `${status.http}/api/libraries/${lib}`;
    const unknownParam = await fetch(`${base}/content?cursor=2`, { headers: auth });
    assert.equal(unknownParam.status, 400, 'a parameter the API does not take is refused, not ignored');
    assert.match(((await unknownParam.json()) as { error: { message: string } }).error.message, /unknown query parameter "cursor" \(this takes kind, location, device, after, limit\)/);
    const log = readFileSync(join(env.VSS_DATA_DIR, 'daemon.log'), 'utf8');
    assert.doesNotMatch(log, /The daemon runs/, 'the log holds log lines only, not the banner');
    const badKind = await fetch(`${base}/content?kind=bogus`, { headers: auth });
    assert.equal(badKind.status, 400);
    assert.match(((await badKind.json()) as { error: { message: string } }).error.message, /^kind must be one of/);
    const badList = await fetch(`${base}/sidecars/presence`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ uuids: [1], kind: 'thumb' }) });
    assert.equal(badList.status, 400);
    assert.match(((await badList.json()) as { error: { message: string } }).error.message, /^uuids\[0\] must be a string/);
    for (const hostile of [
      `/sidecars/${proxy.content_uuid}/..%2F..%2Fdatabase.db/x`,
      `/sidecars/${proxy.content_uuid}/%2e%2e/quick`,
      `/sidecars/${proxy.content_uuid}/nokind/quick`,
      `/sidecars/not-a-uuid/proxy/quick`,
      `/sidecars/${proxy.content_uuid}/proxy/..`,
      `/sidecars/${proxy.content_uuid}/proxy/quick%00`,
    ]) {
      const r = await fetch(base + hostile, { headers: auth });
      assert.ok(r.status === 400 || r.status === 404, `${hostile} → ${r.status}`);
      assert.notEqual(r.status, 200);
    }
  });
});
