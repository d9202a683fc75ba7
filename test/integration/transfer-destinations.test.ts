/**
 * Issue 57 items 2 and 3 (faults of 2026-11-27, S1, S2 and N1), through the real CLI and a real
 * daemon: every destination is checked in one place (a location's drive unplugged is offline,
 * never written under the mount point it left; a browser writes only into the library's
 * locations), and a move removes a source only while it is still the file that was read.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { json, outputOf, tempDir, until, VSS_BIN, type CliResult } from '../helpers.js';
// The CLI in this process for the setup, t.cli and the refused calls (their exit code and message are
// the same); the move stopped before its sources go stays a child process, as a stop needs one.
import { cliHere } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';
import { freePort } from '../support/free-port.js';
import { stopped } from '../support/stopped.js';

const loopSkip = loopSkipReason();

describe('where a transfer may write, and what a move may remove (issue 57: S1, S2)', { skip: loopSkip, timeout: 300_000 }, () => {
  let t: TwoDrives;
  before(async () => {
    t = await twoDrives('vss-dest-', { run: cliHere, sizeMiB: 64, files: { 'photos/new.bin': 'new bytes '.repeat(1000), 'photos/trip/a-notes.txt': 'original line\n', 'photos/trip/z.bin': 'z'.repeat(300_000), 'backup/old.txt': 'keep\n' } });
  });
  after(() => t?.stop());

  it('refuses a copy or move into a location whose drive is unplugged, naming it "offline"; nothing is written under the mount point (S1)', async () => {
    const mount = t.drive.mountPoint!;
    t.drive.unplug();
    try {
      assert.deepEqual(readdirSync(mount), [], 'the mount point is left empty');
      for (const verb of ['copy', 'move']) {
        const r = await cliHere(['files', verb, join(t.photos, 'new.bin'), `${t.backup}/`], t.env);
        assert.notEqual(r.code, 0, `${verb} into an offline location: ${r.stdout}`);
        assert.match(r.stderr, /location "backup" is offline/, r.stderr);
        assert.deepEqual(readdirSync(mount), [], `nothing written under the mount point by the ${verb}`);
      }
      assert.ok(existsSync(join(t.photos, 'new.bin')), 'the source stays');
    } finally {
      t.drive.plug(mount);
    }
    assert.deepEqual(readdirSync(t.backup), ['old.txt'], 'the drive holds what it held');
    // Back: the same move goes through.
    await t.cli('files', 'move', join(t.photos, 'new.bin'), `${t.backup}/`);
    assert.ok(existsSync(join(t.backup, 'new.bin')));
  });

  it('refuses a location that is a drive\'s own mount point once the drive left (the folder stays, empty)', async () => {
    const vol = makeLoopVolume({ sizeMiB: 16 });
    try {
      const at = vol.mountPoint!;
      await t.cli('location', 'add', at, '--name', 'Stick', '--mode', 'content');
      writeFileSync(join(t.photos, 'stick.txt'), 'for the stick');
      vol.unplug();
      const r = await cliHere(['files', 'copy', join(t.photos, 'stick.txt'), `${at}/`], t.env);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /location "Stick" is offline/, r.stderr);
      assert.deepEqual(readdirSync(at), [], 'nothing written into the empty mount point');
    } finally {
      vol.remove();
    }
  });

  it('keeps a source another program wrote to after it was read, and says so; the rest moves (S2)', async () => {
    const dst = join(t.backup, 'moved');
    mkdirSync(dst);
    // Stopped once its copies are verified and placed, before any source goes: another program writes then.
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', join(t.photos, 'trip'), `${dst}/`], {
      env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = outputOf(child);
    await until('the move stops before removing its sources', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
    appendFileSync(join(t.photos, 'trip', 'a-notes.txt'), 'EDITED by another program\n');
    process.kill(child.pid!, 'SIGCONT');
    const r: CliResult = await out;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /a-notes\.txt changed after it was copied: kept/);
    assert.equal(readFileSync(join(t.photos, 'trip', 'a-notes.txt'), 'utf8'), 'original line\nEDITED by another program\n', 'the edit is where it was written');
    assert.equal(readFileSync(join(dst, 'trip', 'a-notes.txt'), 'utf8'), 'original line\n', 'the copy holds the bytes as read');
    assert.ok(!existsSync(join(t.photos, 'trip', 'z.bin')), 'an unchanged source moved');
    assert.equal(readFileSync(join(dst, 'trip', 'z.bin')).length, 300_000);
  });

  it('keeps a source outside every location that another program wrote to after it was read (issue 59: sources anywhere, the same rule)', async () => {
    const outside = join(t.tmp, 'outside', 'scans');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'edited.txt'), 'as read\n');
    writeFileSync(join(outside, 'kept-as-is.bin'), 'k'.repeat(200_000));
    const dst = join(t.backup, 'from-outside');
    mkdirSync(dst);
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', outside, `${dst}/`], {
      env: { ...process.env, ...t.env, VSS_CRASH_AT: 'transfer:before-source-removed:stop' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = outputOf(child);
    await until('the move stops before removing its sources', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
    appendFileSync(join(outside, 'edited.txt'), 'EDITED by another program\n');
    process.kill(child.pid!, 'SIGCONT');
    const r: CliResult = await out;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /edited\.txt changed after it was copied: kept/);
    assert.equal(readFileSync(join(outside, 'edited.txt'), 'utf8'), 'as read\nEDITED by another program\n', 'the edit is where it was written');
    assert.equal(readFileSync(join(dst, 'scans', 'edited.txt'), 'utf8'), 'as read\n');
    assert.ok(!existsSync(join(outside, 'kept-as-is.bin')), 'an unchanged source outside the locations moved');
    assert.equal(readFileSync(join(dst, 'scans', 'kept-as-is.bin')).length, 200_000);
  });
});

/** A port free on this machine now (the daemon's LAN port is fixed, not picked by the daemon). */
/** An HTTPS request trusting CA alone (the device's certificate). */
function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, ca, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('a paired browser with the files right writes only into the library\'s locations (issue 57: N1)', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-n1-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: '127.0.0.2' };
  const photos = join(tmp.path, 'photos');
  const home = join(tmp.path, 'home');
  const rc = join(home, '.bashrc');
  let base = '';
  let ca = '';
  let cookie = '';
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await cliHere(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const post = (op: string, body: unknown) => request(`${base}/api/libraries/current/files/${op}`, ca, {
    method: 'POST', body: JSON.stringify(body), headers: { cookie, 'sec-fetch-site': 'same-origin', 'x-vss-ui': '1', 'content-type': 'application/json' },
  });

  before(async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(photos, 'photo.jpg'), 'a photo, as its bytes');
    writeFileSync(rc, 'export PATH=$PATH\n');
    const port = await freePort();
    await ok(['library', 'create', 'Home']);
    await ok(['location', 'add', photos, '--mode', 'content']);
    await ok(['daemon', 'start', '--lan', '--lan-port', String(port)]);
    base = `https://127.0.0.2:${port}`;
    ca = readFileSync(join(env.VSS_DATA_DIR, 'lan-tls', 'cert.pem'), 'utf8');
    const { url } = json<{ url: string }>(await ok(['--json', 'ui', 'pair', '--name', 'Phone', '--may', 'view,files']));
    const a = await request(url, ca);
    assert.equal(a.status, 303, a.body);
    cookie = String(a.headers['set-cookie']).split(';')[0]!;
  });

  after(async () => {
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('refuses a copy, a move and their dry runs to a path outside every location: 400, nothing written', async () => {
    const src = join(photos, 'photo.jpg');
    for (const [op, body] of [
      ['copy', { srcs: [src], to: rc, on_conflict: 'replace' }],
      ['move', { srcs: [src], to: join(home, 'photo.jpg') }],
      ['copy', { srcs: [src], to: `${home}/`, into: true }],
      ['preview', { op: 'copy', srcs: [src], to: rc, on_conflict: 'replace' }],
    ] as const) {
      const a = await post(op, body);
      assert.ok(a.status === 400 || a.status === 403, `${op} ${JSON.stringify(body)}: ${a.status} ${a.body.slice(0, 300)}`);
      assert.match(a.body, /outside every location/);
    }
    assert.equal(readFileSync(rc, 'utf8'), 'export PATH=$PATH\n', 'the shell\'s rc file is untouched');
    assert.deepEqual(readdirSync(home), ['.bashrc']);
    assert.ok(existsSync(src), 'the photo stays in the library');
  });

  it('refuses a source outside every location: a browser reads only the library\'s locations (issue 59)', async () => {
    for (const op of ['copy', 'move'] as const) {
      const a = await post(op, { srcs: [rc], to: photos, into: true });
      assert.ok(a.status === 400 || a.status === 403, `${op} of ~/.bashrc: ${a.status} ${a.body.slice(0, 300)}`);
      assert.match(a.body, /not inside any location/);
    }
    assert.ok(!existsSync(join(photos, '.bashrc')), 'nothing of the home folder came in');
    assert.equal(readFileSync(rc, 'utf8'), 'export PATH=$PATH\n');
  });

  it('copies into a location as asked (the same session, the same route)', async () => {
    const a = await post('copy', { srcs: [join(photos, 'photo.jpg')], to: join(photos, 'again.jpg') });
    assert.equal(a.status, 200, a.body);
    assert.match(a.body, /"result"/);
    assert.equal(readFileSync(join(photos, 'again.jpg'), 'utf8'), 'a photo, as its bytes');
  });

  it('lets this machine\'s user name a folder outside the locations', async () => {
    await ok(['files', 'copy', join(photos, 'photo.jpg'), `${home}/`]);
    assert.ok(existsSync(join(home, 'photo.jpg')));
  });
});
