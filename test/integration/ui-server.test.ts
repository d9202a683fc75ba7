import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { sessionCookieName } from '../internals.js';
import { importWebModule } from '../web/web-module.js';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** One real request to the daemon's TCP port, the path sent as given. */
function request(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { host: `127.0.0.1:${port}`, ...opts.headers, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface GridItem {
  content_uuid: string; name: string; kind: string; mime: string; day: string | null; captured_at: string | null;
  width: number | null; height: number | null; duration_s: number | null; live_photo: boolean; thumb_checksum: string | null;
}
interface Detail {
  content_uuid: string; name: string; kind: string; size: number; paths: Array<{ location_id: number; location_name: string; path: string }>;
  metadata: { captured_at?: string; content_identifier?: string };
  sidecars: Array<{ kind: string; variant: string; status: string; checksum: string | null; devices: Array<{ device_id: string; name: string; local: boolean }> }>;
}

describe('the web UI over a real daemon: session, app files, grid and detail', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-ui-');
  const data = join(tmp.path, 'data');
  const web = join(tmp.path, 'web');
  const tree = join(tmp.path, 'tree');
  const env = { VSS_DATA_DIR: data, VSS_WEB_DIR: web, VSS_NO_DAEMON: undefined, VSS_INSTANCE: undefined };
  let port = 0;
  let token = '';
  let cookie = '';
  /** Headers of a request from the app's own page: the session cookie, and the origin Chromium names. */
  const fromApp = (more: Record<string, string> = {}) => ({ cookie, 'sec-fetch-site': 'same-origin', ...more });
  /** A fresh sign-in address, as `vss ui` prints it. */
  const signInPath = async (): Promise<string> => {
    const a = json<{ url: string }>(await runCli(['ui', '--json'], env));
    const url = new URL(a.url);
    return url.pathname + url.search;
  };
  const api = (path: string, opts: Parameters<typeof request>[2] = {}) => request(port, path, { ...opts, headers: { authorization: `Bearer ${token}`, ...opts.headers } });
  const apiJson = async <T>(path: string): Promise<T> => {
    const a = await api(path);
    assert.equal(a.status, 200, `${path}: ${a.body}`);
    return JSON.parse(a.body) as T;
  };

  before(async () => {
    // The app's stand-in: the real one is built by esbuild into dist/web, which this test does not depend on.
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>vss</title><script type="module" src="/ui/assets/app-ABCD1234.js"></script>\n');
    writeFileSync(join(web, 'assets', 'app-ABCD1234.js'), 'console.log("app")\n');
    mkdirSync(tree);
    for (const dir of ['exif', 'livephoto', 'video']) cpSync(join(FIXTURES, dir), join(tree, dir), { recursive: true });
    json(await runCli(['library', 'create', 'UI', '--path', tmp.path, '--json'], env));
    // `vss ui` starts the daemon (this data dir has none) and prints a sign-in address with a ticket.
    const ui = await runCli(['ui', '--json'], env);
    const address = json<{ url: string; http: string; expires_at: string }>(ui);
    assert.match(ui.stderr, /started the daemon/);
    const url = new URL(address.url);
    assert.equal(url.pathname, '/ui/');
    assert.equal(`${url.protocol}//${url.host}`, address.http);
    port = Number(url.port);
    token = readFileSync(join(data, 'daemon.token'), 'utf8').trim();
    assert.match(url.searchParams.get('ticket') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([...url.searchParams.keys()], ['ticket']);
    assert.ok(!address.url.includes(token), 'the bearer token is not in the address');
    const left = Date.parse(address.expires_at) - Date.now();
    assert.ok(left > 0 && left <= 60_000, `the ticket lives a minute: ${address.expires_at}`);
    const added = await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'none', '--json'], env);
    assert.equal(added.code, 0, added.stderr);
  });

  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('a second `vss ui` uses the running daemon and prints a new single-use address', async () => {
    const again = await runCli(['ui'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout.trim(), new RegExp(`^http://127\\.0\\.0\\.1:${port}/ui/\\?ticket=[A-Za-z0-9_-]{43}$`));
    assert.notEqual(again.stdout.trim(), await signInPath());
    assert.doesNotMatch(again.stderr, /started the daemon/);
    assert.match(again.stderr, /signs in one browser, once/);
  });

  it('a ticket signs in once: a session cookie that is not the token, and the browser is sent on to /ui/', async () => {
    const path = await signInPath();
    const a = await request(port, path);
    assert.equal(a.status, 303, a.body);
    assert.equal(a.headers.location, '/ui/');
    const set = String(a.headers['set-cookie']);
    // Named after the token's digest, so a second daemon on this machine keeps its own session.
    assert.match(set, /^vss_session_[0-9a-f]{8}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    cookie = set.split(';')[0]!;
    assert.ok(cookie.startsWith(`${sessionCookieName(token)}=`));
    assert.ok(!cookie.includes(token), 'the cookie is not the bearer token');
    assert.ok(!cookie.includes(new URLSearchParams(path.split('?')[1]).get('ticket')!), 'nor the ticket');
    assert.equal(a.headers['referrer-policy'], 'no-referrer');
    assert.equal((await request(port, '/ui/', { headers: fromApp() })).status, 200);

    // Used once: the same address again, an unknown ticket, the old `?token=` address: 401, no cookie.
    for (const bad of [path, `/ui/?ticket=${'A'.repeat(43)}`, '/ui/?ticket=short', `/ui/?ticket=${encodeURIComponent(token)}`, `/ui/?token=${encodeURIComponent(token)}`, '/ui/?ticket=a&ticket=b']) {
      const r = await request(port, bad);
      assert.equal(r.status, 401, bad);
      assert.equal(r.headers['set-cookie'], undefined, bad);
      assert.match(r.body, /vss ui/, bad);
    }
    // The bearer token in the cookie authenticates nothing.
    const tokenCookie = { cookie: `${sessionCookieName(token)}=${token}`, 'sec-fetch-site': 'same-origin' };
    assert.equal((await request(port, '/ui/', { headers: tokenCookie })).status, 401);
    assert.equal((await request(port, '/api/libraries', { headers: tokenCookie })).status, 401);
    // A second sign-in is a second session; the first stays.
    const b = await request(port, await signInPath());
    const second = String(b.headers['set-cookie']).split(';')[0]!;
    assert.notEqual(second, cookie);
    for (const c of [cookie, second]) assert.equal((await request(port, '/api/libraries', { headers: { cookie: c, 'sec-fetch-site': 'same-origin' } })).status, 200);
  });

  it('tickets come only for the bearer token: not for a session, not for nothing', async () => {
    const asApp = await request(port, '/api/ui/ticket', { method: 'POST', headers: fromApp({ 'x-vss-ui': '1' }) });
    assert.equal(asApp.status, 403, asApp.body);
    assert.match(asApp.body, /bearer token only/);
    assert.equal((await request(port, '/api/ui/ticket', { method: 'POST' })).status, 401);
    const t = await api('/api/ui/ticket', { method: 'POST' });
    assert.equal(t.status, 200, t.body);
    const { ticket, expires_at } = JSON.parse(t.body) as { ticket: string; expires_at: string };
    assert.match(ticket, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(expires_at) > Date.now());
    assert.equal((await request(port, `/ui/?ticket=${ticket}`)).status, 303);
  });

  it('a request the cookie alone authenticates must come from the app\'s own origin (Sec-Fetch-Site)', async () => {
    for (const path of ['/api/libraries/current/grid/days', '/api/events', '/ui/assets/app-ABCD1234.js']) {
      for (const site of ['cross-site', 'same-site', 'none', undefined]) {
        const a = await request(port, path, { headers: { cookie, ...(site ? { 'sec-fetch-site': site } : {}) } });
        assert.equal(a.status, 403, `${path} with ${site ?? 'no'} Sec-Fetch-Site: ${a.body}`);
        assert.match(a.body, /Sec-Fetch-Site/);
      }
    }
    assert.equal((await request(port, '/api/libraries/current/grid/days', { headers: fromApp() })).status, 200);
    assert.equal((await request(port, '/ui/assets/app-ABCD1234.js', { headers: fromApp() })).status, 200);
    // The app's page: also when opened from nowhere (typed, a bookmark, the desktop's opener); never from another site.
    for (const site of ['same-origin', 'none']) assert.equal((await request(port, '/ui/', { headers: { cookie, 'sec-fetch-site': site } })).status, 200, site);
    for (const site of ['cross-site', 'same-site', undefined]) {
      const a = await request(port, '/ui/', { headers: { cookie, ...(site ? { 'sec-fetch-site': site } : {}) } });
      assert.equal(a.status, 403, String(site));
      assert.match(String(a.headers['content-type']), /^text\/html/);
    }
    // The bearer token needs no Sec-Fetch-Site (the CLI, scripts).
    assert.equal((await api('/api/libraries/current/grid/days', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 200);
  });

  it('a file route asked from another site with the cookie is refused before anything is made', async () => {
    const page = await apiJson<{ items: GridItem[] }>('/api/libraries/current/grid?offset=0&limit=2000');
    const canon = page.items.find((i) => i.name === 'Canon_40D.jpg')!;
    const path = `/api/libraries/current/sidecars/${canon.content_uuid}/thumb/detail@1x`;
    const thumbOf = async () => (await apiJson<Detail>(`/api/libraries/current/content/${canon.content_uuid}/detail`)).sidecars.find((s) => s.kind === 'thumb' && s.variant === 'detail@1x');
    assert.notEqual((await thumbOf())?.status, 'ready', 'no detail thumbnail yet (--generate none)');
    for (const site of ['cross-site', 'same-site']) {
      const a = await request(port, path, { headers: { cookie, 'sec-fetch-site': site } });
      assert.equal(a.status, 403, a.body);
    }
    assert.notEqual((await thumbOf())?.status, 'ready', 'the refused requests made nothing');
    const made = await request(port, path, { headers: fromApp() });
    assert.equal(made.status, 200, made.body);
    assert.equal((await thumbOf())?.status, 'ready');
  });

  it('without the cookie /ui/ is a 401 page that says to run `vss ui`; with it, the app and its assets', async () => {
    const no = await request(port, '/ui/', { headers: { 'sec-fetch-site': 'none' } });
    assert.equal(no.status, 401);
    assert.match(String(no.headers['content-type']), /^text\/html/);
    assert.match(no.body, /vss ui/);
    assert.equal((await request(port, '/ui/assets/app-ABCD1234.js', { headers: { 'sec-fetch-site': 'same-origin' } })).status, 401);
    assert.equal((await request(port, '/ui/', { headers: { cookie: `${sessionCookieName(token)}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, 'sec-fetch-site': 'none' } })).status, 401);

    const page = await request(port, '/ui/', { headers: { cookie: `theme=dark; ${cookie}`, 'sec-fetch-site': 'none' } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>vss<\/title>/);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const csp = String(page.headers['content-security-policy']);
    for (const d of ["default-src 'self'", "script-src 'self'", "img-src 'self' blob:", "media-src 'self' blob:", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(d), `${d} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, 'no inline script, no eval (WebAssembly compiled from the app\'s own bytes is wasm-unsafe-eval)');

    const asset = await request(port, '/ui/assets/app-ABCD1234.js', { headers: fromApp() });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    for (const bad of ['/ui/assets/missing-ABCD1234.js', '/ui/assets/..%2f..%2fdata%2fdaemon.token', '/ui/../data/daemon.token', '/ui/.hidden', '/ui/assets/%2e%2e/index.html']) {
      const a = await request(port, bad, { headers: fromApp() });
      assert.ok(a.status === 404 || a.status === 400, `${bad}: ${a.status}`);
      assert.doesNotMatch(a.body, new RegExp(token));
    }
  });

  it('the cookie authenticates /api/** reads; a write needs X-VSS-UI: 1 besides; the bearer token needs nothing more', async () => {
    assert.equal((await request(port, '/api/libraries/current/grid/days')).status, 401);
    const days = await request(port, '/api/libraries/current/grid/days', { headers: fromApp() });
    assert.equal(days.status, 200, days.body);

    const noHeader = await request(port, '/api/libraries/resolve', { method: 'POST', headers: fromApp(), body: '{}' });
    assert.equal(noHeader.status, 403, noHeader.body);
    assert.match(noHeader.body, /x-vss-ui/i);
    const wrongValue = await request(port, '/api/libraries/resolve', { method: 'POST', headers: fromApp({ 'x-vss-ui': 'yes' }), body: '{}' });
    assert.equal(wrongValue.status, 403);
    const withHeader = await request(port, '/api/libraries/resolve', { method: 'POST', headers: fromApp({ 'x-vss-ui': '1' }), body: '{}' });
    assert.equal(withHeader.status, 200, withHeader.body);
    assert.equal((JSON.parse(withHeader.body) as { name: string }).name, 'UI');
    const bearer = await api('/api/libraries/resolve', { method: 'POST', body: '{}' });
    assert.equal(bearer.status, 200, bearer.body);
    // A wrong bearer token is not rescued by a right cookie: what the client sent first is what it meant.
    assert.equal((await request(port, '/api/libraries', { headers: fromApp({ authorization: 'Bearer wrong' }) })).status, 401);
    // A write from another site with the cookie and the header is refused by its origin.
    const crossWrite = await request(port, '/api/libraries/resolve', { method: 'POST', headers: { cookie, 'x-vss-ui': '1', 'sec-fetch-site': 'same-site' }, body: '{}' });
    assert.equal(crossWrite.status, 403);
  });

  it('a Host that does not name this server is refused, for the UI and the API alike', async () => {
    for (const path of [await signInPath(), '/ui/', '/api/libraries']) {
      const a = await request(port, path, { headers: { host: `evil.example:${port}`, ...fromApp({ authorization: `Bearer ${token}` }) } });
      assert.equal(a.status, 403, path);
      assert.equal(a.headers['set-cookie'], undefined);
    }
  });

  it('grid days and pages list the indexed fixtures by capture time, newest first, undated last, the Live Photo movie behind its still', async () => {
    const { total, version, days } = await apiJson<{ total: number; version: number; days: Array<{ day: string | null; count: number }> }>('/api/libraries/current/grid/days');
    assert.ok(Number.isSafeInteger(version), `the order's version: ${version}`);
    const contents = json<Array<{ content_uuid: string; paths: string[] }>>(await runCli(['content', 'list', '--json'], env));
    // Every content but the Live Photo's movie, which is its still's sidecar.
    assert.equal(total, contents.length - 1);
    assert.equal(days.reduce((n, d) => n + d.count, 0), total);
    const page = await apiJson<{ total: number; version: number; items: GridItem[] }>(`/api/libraries/current/grid?offset=0&limit=2000`);
    assert.equal(page.total, total);
    assert.equal(page.version, version, 'a slice of the same order as the days');
    assert.equal(page.items.length, total);
    // The items are the days' runs, in the same order.
    assert.deepEqual(page.items.map((i) => i.day), days.flatMap((d) => Array<string | null>(d.count).fill(d.day)));
    const dated = page.items.filter((i) => i.day !== null);
    const undated = page.items.filter((i) => i.day === null);
    assert.deepEqual(page.items, [...dated, ...undated], 'undated last');
    assert.ok(dated.length >= 6, `capture days read from the fixtures: ${dated.length}`);
    for (let i = 1; i < dated.length; i++) assert.ok(dated[i - 1]!.day! >= dated[i]!.day!, `${dated[i - 1]!.day} before ${dated[i]!.day}`);
    for (const i of dated) assert.equal(i.day, i.captured_at!.slice(0, 10), 'the day is the capture clock\'s date');
    assert.deepEqual(undated.map((i) => i.name), undated.map((i) => i.name).sort(), 'undated by name');
    assert.equal(days.at(-1)!.day, null);

    const train = page.items.find((i) => i.name === 'train.jpg')!;
    assert.equal(train.live_photo, true);
    assert.equal(train.day, '2021-04-10');
    assert.equal(train.width, 4032);
    assert.ok(!page.items.some((i) => i.name === 'train.mov'));
    const canon = page.items.find((i) => i.name === 'Canon_40D.jpg')!;
    assert.equal(canon.day, '2008-05-30');
    const video = page.items.find((i) => i.name === 'photoprism-blue-go-video.mp4')!;
    assert.equal(video.kind, 'video');
    assert.ok(video.duration_s! > 0);

    // Pages are slices of the same order.
    const a = await apiJson<{ items: GridItem[] }>('/api/libraries/current/grid?offset=2&limit=3');
    assert.deepEqual(a.items, page.items.slice(2, 5));
    const past = await apiJson<{ total: number; version: number; items: GridItem[] }>(`/api/libraries/current/grid?offset=${total + 10}&limit=5`);
    assert.deepEqual(past, { total, version, items: [] });

    // No thumbnail yet (--generate none); once one is made, the tile carries its checksum (the immutable URL's `v`).
    assert.equal(train.thumb_checksum, null);
    const thumb = await api(`/api/libraries/current/sidecars/${train.content_uuid}/thumb/grid@1x`);
    assert.equal(thumb.status, 200, thumb.body);
    assert.equal(thumb.headers['content-security-policy'], 'sandbox', 'file answers keep their sandbox');
    const after = await apiJson<{ items: GridItem[] }>('/api/libraries/current/grid?offset=0&limit=2000');
    assert.equal(`"${after.items.find((i) => i.name === 'train.jpg')!.thumb_checksum}"`, thumb.headers.etag);
  });

  it('a library on one device: the days name this device alone, every tile is here, the device filter narrows nothing and refuses what is not a device', async () => {
    const device = json<{ id: string; name: string }>(await runCli(['device', 'info', '--json'], env));
    const all = await apiJson<{ total: number; version: number; devices: unknown[]; device: string | null }>('/api/libraries/current/grid/days');
    assert.deepEqual(all.devices, [{ device_id: device.id, name: device.name, local: true, online: true }]);
    assert.equal(all.device, null);
    const page = await apiJson<{ items: Array<GridItem & { local: boolean; devices: string[] }> }>('/api/libraries/current/grid?offset=0&limit=2000');
    assert.ok(page.items.length > 0 && page.items.every((i) => i.local && i.devices.length === 1 && i.devices[0] === device.id), 'every tile this device\'s');
    const here = await apiJson<{ total: number; version: number; device: string | null }>('/api/libraries/current/grid/days?device=local');
    assert.deepEqual([here.total, here.version, here.device], [all.total, all.version, 'local']);
    const other = await apiJson<{ total: number }>('/api/libraries/current/grid/days?device=00000000-0000-4000-8000-0000000000ff');
    assert.equal(other.total, 0, 'a device that holds nothing here');
    assert.equal((await api('/api/libraries/current/grid?offset=0&limit=10&device=laptop')).status, 400);
  });

  it("a Live Photo still's detail lists its copies, metadata and its movie sidecar on this device", async () => {
    const page = await apiJson<{ items: GridItem[] }>('/api/libraries/current/grid?offset=0&limit=2000');
    const train = page.items.find((i) => i.name === 'train.jpg')!;
    const d = await apiJson<Detail>(`/api/libraries/current/content/${train.content_uuid}/detail`);
    assert.equal(d.content_uuid, train.content_uuid);
    assert.equal(d.name, 'train.jpg');
    assert.equal(d.kind, 'image');
    assert.deepEqual(d.paths.map((p) => p.path), [join(tree, 'livephoto', 'apple-iphone6s', 'train.jpg')]);
    assert.equal(d.paths[0]!.location_name, 'tree');
    assert.equal(d.metadata.content_identifier, 'E905E6C6-C747-4805-942F-9904A0281F02');
    const device = json<{ id: string; name: string }>(await runCli(['device', 'info', '--json'], env));
    const movie = d.sidecars.find((s) => s.kind === 'live_photo_video')!;
    assert.equal(movie.variant, 'original');
    assert.equal(movie.status, 'ready');
    assert.deepEqual(movie.devices, [{ device_id: device.id, name: device.name, local: true }]);
    const thumb = d.sidecars.find((s) => s.kind === 'thumb' && s.variant === 'grid@1x')!;
    assert.equal(thumb.checksum, train.thumb_checksum);
  });

  it('hostile offsets, limits and uuids are 400s that name the field; an unknown content is a 404', async () => {
    for (const q of ['offset=-1', 'offset=abc', 'offset=1e3', 'offset=99999999999999999999', 'limit=0', 'limit=2001', 'limit=-5', 'limit=1.5', 'offset=1&offset=2', 'foo=1']) {
      const a = await api(`/api/libraries/current/grid?${q}`);
      assert.equal(a.status, 400, `${q}: ${a.status} ${a.body}`);
      assert.equal((JSON.parse(a.body) as { error: { code: string } }).error.code, 'USAGE', q);
    }
    for (const u of ['not-a-uuid', '..', '%2e%2e%2fx', 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAAA', 'x'.repeat(5000)]) {
      const a = await api(`/api/libraries/current/content/${u}/detail`);
      assert.ok(a.status === 400 || a.status === 404, `${u.slice(0, 40)}: ${a.status}`);
      if (a.status === 404) assert.notEqual((JSON.parse(a.body) as { error: { code: string } }).error.code, 'NOT_FOUND', `${u.slice(0, 40)} reached the core`);
    }
    const unknown = await api('/api/libraries/current/content/00000000-0000-4000-8000-000000000000/detail');
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(unknown.body) as { error: { code: string } }).error.code, 'NOT_FOUND');
    assert.equal((await api('/api/libraries/not-a-library/grid/days')).status, 400);
  });

  it("the app's grid store follows a change: pages keep their order's version, another version has the days read again, once, with no loop", async () => {
    interface Days { total: number; version?: number; days: Array<{ day: string | null; count: number }> }
    interface Store {
      days: Days | null; generation: number;
      loadDays(): Promise<void>; refresh(confirm?: boolean): void; want(first: number, last: number): void;
      item(i: number): GridItem | undefined; loaded(first: number, n: number): number;
    }
    const { GridStore } = await importWebModule<{ GridStore: new (lib: string) => Store }>('grid-store.ts');
    // The app's fetches, sent to this daemon with the token (the page would send the cookie), and counted.
    const asked: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((path: string, init: RequestInit) => {
      asked.push(path.replace(/\?.*/, ''));
      return realFetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
    }) as typeof fetch;
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ok(), what);
    };
    try {
      const store = new GridStore('current');
      await store.loadDays();
      const before = store.days!;
      assert.ok(Number.isSafeInteger(before.version));
      store.want(0, before.total - 1);
      await until('every page loaded', () => store.loaded(0, before.total) === before.total);

      // A new file, indexed: the daemon's order moves (read again at most every 2 s, so perhaps not at once).
      writeFileSync(join(tree, 'grid-store-new.txt'), `a file the grid did not have ${Date.now()}\n`);
      const locs = json<Array<{ id: number }>>(await runCli(['location', 'list', '--json'], env));
      assert.equal((await runCli(['location', 'rescan', String(locs[0]!.id)], env)).code, 0);
      store.refresh(); // what index:done does
      await until('the new file in the days (asked once more if the first answer was the old order)', () => store.days!.total === before.total + 1);
      assert.notEqual(store.days!.version, before.version);
      store.want(0, store.days!.total - 1);
      await until('the pages of the new order', () => store.loaded(0, store.days!.total) === store.days!.total);
      const names = Array.from({ length: store.days!.total }, (_, i) => store.item(i)!.name);
      assert.ok(names.includes('grid-store-new.txt'));
      assert.equal(new Set(names).size, names.length, 'no tile twice');

      // Nothing changes any more: nothing more is asked (no refresh loop). The read that confirms
      // news comes REFRESH_MIN_MS (2 s) after the one before it, which on a loaded machine may be
      // after the pages above: settled is a quiet spell longer than that, then none may follow.
      let settled = -1;
      for (let i = 0; i < 10 && settled !== asked.length; i++) {
        settled = asked.length;
        await new Promise((r) => setTimeout(r, 2500));
      }
      assert.equal(asked.length, settled, `still asking after 25 s: ${asked.slice(-5).join(', ')}`);
      await new Promise((r) => setTimeout(r, 4500));
      store.want(0, store.days!.total - 1);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(asked.length, settled, `asked after settling: ${asked.slice(settled).join(', ')}`);
      assert.ok(asked.filter((a) => a.endsWith('/grid/days')).length <= 4, `days read ${asked.filter((a) => a.endsWith('/grid/days')).length} times`);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('without the built app the UI answers 503 and says how to build it', async () => {
    rmSync(join(web, 'index.html'));
    const a = await request(port, '/ui/', { headers: fromApp() });
    assert.equal(a.status, 503);
    assert.match(a.body, /the web UI is not built \(npm run build\)/);
    // The API does not depend on the app.
    assert.equal((await request(port, '/api/libraries/current/grid/days', { headers: fromApp() })).status, 200);
  });
});
