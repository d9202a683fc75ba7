import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Answer { status: number; body: string }

/** One real request with a JSON body to the daemon's TCP port. */
function send(port: number, method: string, path: string, token: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, path, method, timeout: 30_000, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Every path the local API takes is absolute or refused (issue 28, fault 10): the daemon's working
 * directory is its data dir, so a relative inbox would put what paired devices send beside the
 * device key.
 */
describe('the HTTP API refuses relative paths (real daemon)', () => {
  const tmp = tempDir('vss-api-rel-');
  const dataDir = join(tmp.path, 'data');
  const env = { VSS_DATA_DIR: dataDir, VSS_NO_DAEMON: undefined, VSS_INSTANCE: undefined };
  let port = 0;
  let token = '';

  before(async () => {
    mkdirSync(join(tmp.path, 'tree'));
    json(await runCli(['library', 'create', 'R', '--path', tmp.path, '--json'], env));
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    port = Number(new URL(json<{ http: string }>(await runCli(['daemon', 'status', '--json'], env)).http).port);
    token = readFileSync(join(dataDir, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('PUT /api/device/inbox with a relative or dotted dir is a 400 naming the reason; nothing is made in the data dir', async () => {
    for (const dir of ['relative', '.', 'a/../b', '/tmp/../etc']) {
      const a = await send(port, 'PUT', '/api/device/inbox', token, { dir });
      assert.equal(a.status, 400, `${dir}: ${a.body}`);
      assert.match(a.body, /absolute|normalized/, dir);
    }
    assert.equal(existsSync(join(dataDir, 'relative')), false, 'no folder was made in the data dir');
    const inbox = await send(port, 'GET', '/api/device/inbox', token, {});
    assert.equal((JSON.parse(inbox.body) as { default: boolean }).default, true, 'the inbox setting is unchanged');
  });

  it('an absolute dir is still taken', async () => {
    const dir = join(tmp.path, 'inbox');
    const a = await send(port, 'PUT', '/api/device/inbox', token, { dir });
    assert.equal(a.status, 200, a.body);
    assert.equal((JSON.parse(a.body) as { dir: string }).dir, dir);
    assert.ok(existsSync(dir));
  });

  it('a relative path in a path field of any row is a 400 (library use, location add)', async () => {
    const use = await send(port, 'POST', '/api/libraries/use', token, { path: 'R.sdlibrary' });
    assert.equal(use.status, 400, use.body);
    // A streamed row has answered 200 before its arguments are read: the refusal is its error line.
    const add = await send(port, 'POST', '/api/libraries/current/locations', token, { path: 'tree' });
    assert.match(add.body, /"code":"USAGE","message":"path must be an absolute path/, add.body);
  });
});
