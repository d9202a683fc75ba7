import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { tusCreate, tusSend, type TusParty } from '../support/tus.js';

interface Status { http: string }
interface Landed { path: string; already: boolean }

/**
 * What an upload is once it lands (daemon/routes/uploads.ts, uploads/land-upload.ts), over a real
 * daemon on loopback with this machine's token: a copy the Guardian counts at once, under a name
 * the filesystem takes however long the name sent, and landed by a creation that carried its
 * bytes as by a PATCH.
 */
describe('an upload lands as a file the library counts', { skip: FIXTURES_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-upload-landing-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const party: TusParty = { base: '', headers: {} };
  const base = () => readFileSync(join(FIXTURES, 'exif/Canon_40D.jpg'));
  /** A photo's bytes told apart by VARIANT (a JPEG with another trailer is still a JPEG). */
  const photo = (variant: number) => Buffer.concat([base(), Buffer.from(`variant ${variant}`)]);
  const ok = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif/Canon_40D.jpg'), join(photos, 'kept.jpg'));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await runCli(['--json', 'library', 'create', 'T', '--path', tmp.path], offline));
    json(await runCli(['--json', 'location', 'add', photos], offline));
    await ok(['daemon', 'start']);
    party.base = json<Status>(await ok(['--json', 'daemon', 'status'])).http;
    party.headers = { authorization: `Bearer ${readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim()}` };
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('counts as a copy the moment it lands: the other copy may go at once, with no rescan', async () => {
    await ok(['guardian', 'policy', '--copies', '1']);
    const sent = await tusSend(party, base(), 'kept.jpg');
    assert.equal(sent.status, 200, await sent.clone().text());
    const landed = await sent.json() as Landed;
    assert.equal(landed.already, false);
    assert.deepEqual(readFileSync(landed.path), base());
    // The photo in the location is its content's other file: deleting it leans on the upload alone.
    const r = await runCli(['files', 'delete', join(photos, 'kept.jpg')], env);
    assert.equal(r.code, 0, `the landed upload counts as the copy left: ${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stderr, /touched since it was indexed/);
  });

  it('lands a name of 255 bytes beside another of that name under a shortened one, whole characters kept', async () => {
    // 251 bytes of two-byte letters and one of one byte, then `.jpg`: 255 bytes, the most a name holds.
    const name = `${'é'.repeat(125)}x.jpg`;
    assert.equal(Buffer.byteLength(name), 255);
    const first = await tusSend(party, photo(1), name);
    assert.equal(first.status, 200, await first.clone().text());
    const second = await tusSend(party, photo(2), name);
    assert.equal(second.status, 200, `the second is landed beside the first, not refused for ever: ${await second.clone().text()}`);
    const a = await first.json() as Landed;
    const b = await second.json() as Landed;
    assert.equal(basename(a.path), name);
    const beside = basename(b.path);
    assert.ok(Buffer.byteLength(beside) <= 255, `${Buffer.byteLength(beside)} bytes`);
    assert.match(beside, /^é+x? \(2\)\.jpg$/, beside);
    assert.deepEqual(readdirSync(dirname(a.path)).filter((n) => n.startsWith('é')).sort(), [name, beside].sort());
    assert.deepEqual(readFileSync(b.path), photo(2));
  });

  it('answers a creation that carries every byte 201 with its Location, the file landed', async () => {
    const bytes = photo(3);
    const made = await tusCreate(party, bytes.length, 'with-body.jpg', blake3(bytes).toString('hex'), bytes);
    const text = await made.text();
    assert.equal(made.status, 201, text);
    assert.match(made.headers.get('location') ?? '', /^\/api\/uploads\/tus\/[0-9a-f]{32}$/);
    assert.equal(made.headers.get('upload-offset'), String(bytes.length));
    const landed = JSON.parse(text) as Landed;
    assert.equal(basename(landed.path), 'with-body.jpg');
    assert.deepEqual(readFileSync(landed.path), bytes);
  });
});
