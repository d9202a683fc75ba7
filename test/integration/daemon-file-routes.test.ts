import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import sharp from 'sharp';
import { Vss, type LibraryApi } from '../../src/api/index.js';
import { DaemonCore } from '../../src/daemon/daemon-core.js';
import { registerFileRoutes } from '../../src/daemon/routes/files.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../helpers.js';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** One real request over a socket, the path sent exactly as given (no URL normalization). */
function request(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

const errorOf = (a: Answer) => (JSON.parse(a.body.toString('utf8')) as { error: { code: string; message: string; status?: string } }).error;

describe('files by address: sidecars and originals over real HTTP', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const tree = join(tmp.path, 'tree');
  const odd = join(tree, '.hidden dir', 'na me%#?.txt');
  let core: DaemonCore;
  let app: FastifyInstance;
  let lib: LibraryApi;
  let port = 0;
  let base = '';
  let video = '';
  let cut = '';
  let image = '';
  let text = '';
  let proxy = { path: '', checksum: '', size: 0 };
  const changes: string[] = [];

  before(async () => {
    mkdirSync(join(tree, '.hidden dir'), { recursive: true });
    copyFileSync(join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'), join(tree, 'clip.mp4'));
    // A video cut short: its proxy fails at once and stays failed (no job makes a failed sidecar again).
    writeFileSync(join(tree, 'cut.mp4'), readFileSync(join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4')).subarray(0, 3000));
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#39c' } }).jpeg().toFile(join(tree, 'photo.jpg'));
    writeFileSync(odd, 'a user file with an awkward name\n'.repeat(20));
    const vss = new Vss({ dataDir: join(tmp.path, 'data') });
    const ref = vss.libraries.create('Files', { dir: tmp.path });
    core = await DaemonCore.start({ vss, log: pino({ level: 'silent' }) });
    lib = core.library({ id: ref.id });
    await lib.locations.add(tree, { mode: 'content' });
    for (const c of lib.content.iterate()) {
      if (c.kind === 'video' && c.paths[0]!.endsWith('clip.mp4')) video = c.content_uuid;
      if (c.kind === 'video' && c.paths[0]!.endsWith('cut.mp4')) cut = c.content_uuid;
      if (c.kind === 'image') image = c.content_uuid;
      if (c.paths[0]!.endsWith('.txt')) text = c.content_uuid;
    }
    assert.ok(video && cut && image && text);
    // A real proxy made from the fixture video, and a thumbnail, by the real job runner.
    assert.equal((await lib.sidecars.path(video, 'proxy', 'scrub')).state, 'pending');
    assert.equal((await lib.sidecars.path(image, 'thumb', 'grid@1x')).state, 'pending');
    assert.equal((await lib.sidecars.path(cut, 'proxy', 'scrub')).state, 'pending');
    await lib.jobs.run({ untilIdle: true });
    const made = [...lib.sidecars.iterate({ contentUuid: video, kind: 'proxy' })][0]!;
    assert.equal(made.status, 'ready', made.error ?? '');
    proxy = { path: made.path!, checksum: made.checksum!, size: made.size! };
    lib.events.on('sidecar:changed', (e) => changes.push(`${e.kind}/${e.variant}:${e.status}`));

    app = Fastify();
    await registerFileRoutes(app, core);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    base = `/api/libraries/${lib.id}`;
  });
  after(async () => {
    await app?.close();
    await core?.close();
    tmp.cleanup();
  });

  it('serves a ready sidecar whole, with its checksum as ETag, revalidated unless the URL names it', async () => {
    const a = await request(port, `${base}/sidecars/${video}/proxy/scrub`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, readFileSync(proxy.path));
    assert.equal(a.headers.etag, `"${proxy.checksum}"`);
    assert.equal(a.headers['content-type'], 'video/mp4');
    assert.equal(a.headers['content-length'], String(proxy.size));
    assert.equal(a.headers['accept-ranges'], 'bytes');
    assert.equal(a.headers['cache-control'], 'private, no-cache');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');

    const pinned = await request(port, `${base}/sidecars/${video}/proxy/scrub?v=${proxy.checksum}`);
    assert.equal(pinned.status, 200);
    assert.equal(pinned.headers['cache-control'], 'private, max-age=31536000, immutable');
    const stale = await request(port, `${base}/sidecars/${video}/proxy/scrub?v=${'0'.repeat(64)}`);
    assert.equal(stale.status, 200, 'a stale v gets the current file');
    assert.equal(stale.headers['cache-control'], 'private, no-cache');
    assert.deepEqual(stale.body, a.body);

    const thumb = await request(port, `${base}/sidecars/${image}/thumb/grid@1x`);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers['content-type'], 'image/webp');
    assert.equal((await sharp(thumb.body).metadata()).format, 'webp');

    const current = await request(port, `/api/libraries/current/sidecars/${video}/proxy/scrub`);
    assert.equal(current.status, 200, '`current` names the current library, as in every route');
    assert.deepEqual(current.body, a.body);

    const head = await request(port, `${base}/sidecars/${video}/proxy/scrub`, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(proxy.size));
    assert.equal(head.body.length, 0);
  });

  it('answers If-None-Match with 304 and If-Match with 412', async () => {
    const url = `${base}/sidecars/${video}/proxy/scrub`;
    for (const tag of [`"${proxy.checksum}"`, `W/"${proxy.checksum}"`, `"x", "${proxy.checksum}"`, '*']) {
      const a = await request(port, url, { 'if-none-match': tag });
      assert.equal(a.status, 304, tag);
      assert.equal(a.body.length, 0);
      assert.equal(a.headers.etag, `"${proxy.checksum}"`);
    }
    assert.equal((await request(port, url, { 'if-none-match': '"something-else"' })).status, 200);
    assert.equal((await request(port, url, { 'if-match': '"something-else"' })).status, 412);
    assert.equal((await request(port, url, { 'if-match': `"${proxy.checksum}"` })).status, 200);
  });

  it('serves byte ranges of the proxy (video seeking), and 416 outside it', async () => {
    const url = `${base}/sidecars/${video}/proxy/scrub`;
    const bytes = readFileSync(proxy.path);
    const mid = await request(port, url, { range: 'bytes=100-1123' });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers['content-range'], `bytes 100-1123/${proxy.size}`);
    assert.equal(mid.headers['content-length'], '1024');
    assert.deepEqual(mid.body, bytes.subarray(100, 1124));
    const tail = await request(port, url, { range: 'bytes=-500' });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.body, bytes.subarray(bytes.length - 500));
    const open = await request(port, url, { range: `bytes=${proxy.size - 10}-` });
    assert.deepEqual(open.body, bytes.subarray(proxy.size - 10));

    const outside = await request(port, url, { range: `bytes=${proxy.size}-${proxy.size + 100}` });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers['content-range'], `bytes */${proxy.size}`);
    assert.equal(errorOf(outside).code, 'RANGE_NOT_SATISFIABLE');

    // A range of another version (If-Range names an old tag) gets the whole current file.
    const whole = await request(port, url, { range: 'bytes=0-9', 'if-range': '"an-old-checksum"' });
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, proxy.size);
    assert.equal((await request(port, url, { range: 'bytes=0-9', 'if-range': `"${proxy.checksum}"` })).status, 206);
  });

  it('refuses hostile and malformed addresses with 400 before touching anything', async () => {
    const s = `${base}/sidecars`;
    const hostile = [
      `${s}/${video}/proxy/..`,
      `${s}/${video}/proxy/%2e%2e`,
      `${s}/${video}/proxy/%2E%2E%2F%2E%2E%2Fdatabase.db`,
      `${s}/${video}/proxy/scrub%2F..%2F..`,
      `${s}/${video}/proxy/scrub/extra`,
      `${s}/${video}/proxy/scr%00ub`,
      `${s}/${video}/proxies/scrub`,
      `${s}/${video}/..%2Fthumb/grid@1x`,
      `${s}/${video}/proxy/huge`,
      `${s}/${video}/embeddings/${'m'.repeat(200)}`,
      `${s}/${video.toUpperCase()}/proxy/scrub`,
      `${s}/not-a-uuid/proxy/scrub`,
      `${s}/..%2F..%2F..%2Fetc/proxy/scrub`,
      `/api/libraries/not-a-library/sidecars/${video}/proxy/scrub`,
      `/api/libraries/..%2F${lib.id}/sidecars/${video}/proxy/scrub`,
      `${s}/${video}/proxy/scrub?v=../x`,
      `${s}/${video}/proxy/scrub?v=a&v=b`,
      `${s}/${video}/proxy/scrub?path=/etc/passwd`,
      `${base}/content/..`,
      `${base}/content/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `${base}/content/${text}%00`,
      `${base}/content/${text}/extra`,
      `${base}/content/${'a'.repeat(300)}`,
    ];
    for (const path of hostile) {
      const a = await request(port, path);
      assert.equal(a.status, 400, `${path}: ${a.status} ${a.body.toString('utf8')}`);
      assert.equal(errorOf(a).code, 'USAGE', path);
      assert.equal(a.headers.etag, undefined);
    }
    assert.deepEqual(changes, [], 'nothing was recorded');
  });

  it('answers 404 for what is not here (an unknown library or content, a sidecar that failed) and makes what can be made', async () => {
    const unknown = '11111111-1111-5111-8111-111111111111';
    const lib404 = await request(port, `/api/libraries/${unknown}/sidecars/${video}/proxy/scrub`);
    assert.equal(lib404.status, 404);
    assert.match(errorOf(lib404).message, /no library/);
    const c404 = await request(port, `${base}/sidecars/${unknown}/thumb/grid@1x`);
    assert.equal(c404.status, 404);
    assert.equal(errorOf(c404).status, 'absent');
    assert.match(errorOf(c404).message, /no such content in this library/);
    assert.equal((await request(port, `${base}/content/${unknown}`)).status, 404);
    // Not made yet but makeable here: the resolver makes it within the request (DESIGN §9, §13).
    const absent = await request(port, `${base}/sidecars/${image}/thumb/detail@2x`);
    assert.equal(absent.status, 200, absent.body.toString('utf8'));
    assert.equal(absent.headers['content-type'], 'image/webp');
    const failed = await request(port, `${base}/sidecars/${cut}/proxy/scrub`);
    assert.equal(failed.status, 404);
    assert.equal(errorOf(failed).status, 'failed');
    assert.match(errorOf(failed).message, /making it failed: .*cannot read the video/);
  });

  it('refuses a symlink or a resized file; a file deleted behind its back is marked missing and made again by the resolver', async () => {
    const thumb = [...lib.sidecars.iterate({ contentUuid: image, kind: 'thumb' })].find((s) => s.variant === 'grid@1x')!;
    const url = `${base}/sidecars/${image}/thumb/grid@1x`;
    // Replaced by a symlink to a file outside: refused, never followed.
    renameSync(thumb.path!, `${thumb.path!}.away`);
    symlinkSync(join(tmp.path, 'tree', 'photo.jpg'), thumb.path!);
    const link = await request(port, url);
    assert.equal(link.status, 404);
    assert.match(errorOf(link).message, /symlink/);
    rmSync(thumb.path!);
    // Another size than recorded: not served under the recorded checksum.
    writeFileSync(thumb.path!, 'not the thumbnail');
    assert.equal((await request(port, url)).status, 404);
    rmSync(thumb.path!);
    changes.length = 0;
    // Gone: marked missing, then the resolver makes it again (as `vss sidecars get` would) and it is served.
    const gone = await request(port, url, { 'if-none-match': `"${thumb.checksum}"` });
    assert.ok(gone.status === 304 || gone.status === 200, `made again and served: ${gone.status} ${gone.body.toString('utf8')}`);
    assert.equal(gone.headers.etag, `"${thumb.checksum}"`, 'the same bytes as before (thumbnails are deterministic)');
    assert.deepEqual(changes.filter((c) => c.startsWith('thumb/grid@1x:')).slice(0, 2), ['thumb/grid@1x:missing', 'thumb/grid@1x:pending']);
    assert.ok(existsSync(thumb.path!), 'its file is back');
  });

  it('serves an original from its location, with its cas_id as ETag and byte ranges, awkward names included', async () => {
    const item = [...lib.content.iterate()].find((c) => c.content_uuid === text)!;
    const a = await request(port, `${base}/content/${text}`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, readFileSync(odd));
    assert.equal(a.headers.etag, `"${item.cas_id}"`);
    assert.match(String(a.headers['content-type']), /^text\/plain/);
    assert.equal(a.headers['content-security-policy'], 'sandbox');
    assert.equal((await request(port, `${base}/content/${text}`, { 'if-none-match': `"${item.cas_id}"` })).status, 304);
    assert.equal((await request(port, `${base}/content/${text}?v=${item.cas_id}`)).headers['cache-control'], 'private, max-age=31536000, immutable');
    const part = await request(port, `${base}/content/${video}`, { range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.deepEqual(part.body, readFileSync(join(tree, 'clip.mp4')).subarray(1000, 2000));
  });

  it('does not serve an original changed since it was identified, or one gone', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(odd, later, later);
    const changed = await request(port, `${base}/content/${text}`);
    assert.equal(changed.status, 404);
    assert.match(errorOf(changed).message, /changed since they were indexed/);
    rmSync(join(tree, 'photo.jpg'));
    assert.equal((await request(port, `${base}/content/${image}`)).status, 404);
  });
});
