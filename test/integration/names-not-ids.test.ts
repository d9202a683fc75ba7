import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { BrowserDevices } from '../../src/device/browser-devices.js';
import { PairedDevices } from '../../src/sync/pairing/paired-devices.js';
import { peerIdOfPublicKey } from '../../src/sync/net/device-key.js';
import type { AlbumShown } from '../../src/wire/albums.js';
import type { StackView } from '../../src/wire/stacks.js';
import { FIXTURES, FIXTURES_SKIP, flipBit, json, tempDir, type CliResult } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { FACE_SAMPLES_SKIP, faceSamplesDir } from '../support/face-photos.js';
import { makeShoot, type Shoot } from '../support/stack-shoot.js';

/** A whole uuid, as no line printed for a person may hold one (issue 58: "names, not ids"). */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Every line of R's stdout and stderr holds no uuid; the stdout, for what else is asked of it. */
function noUuid(what: string, r: CliResult): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) assert.doesNotMatch(line, UUID, `${what} printed a uuid: ${line}`);
  return r.stdout;
}

/** A paired device and a paired browser recorded in DATADIR as pairing records them (no daemon: `devices list` reads the files). */
function pairSomeDevices(dataDir: string): { device: string; browser: string } {
  const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const device = PairedDevices.load(dataDir).add({
    device_uuid: '5b0e3c1a-7d2f-4e8b-9a61-0c4d2e8f7a13', name: 'Laptop', public_key: publicKey, peer_id: peerIdOfPublicKey(publicKey),
    paired_at: new Date(Date.now() - 3 * 60_000).toISOString(), library_ids: [], addrs: [], last_seen: null,
  });
  const browser = BrowserDevices.load(dataDir).add({ name: 'My phone', lan: true, session: randomBytes(32).toString('hex') });
  return { device: device.device_uuid, browser: browser.id };
}

/**
 * What a person reads (issue 58 item 6), through the real CLI over real files: `stacks list`,
 * `stack set-cover`, `similar`, `similar keep`, `people list`, `album show`, `guardian list
 * --at-risk` and `--rot`, `guardian status`, `devices list` name files, people and devices, and
 * say when as "3 minutes ago"; no line holds a whole uuid, in an empty library or a full one,
 * headers and hints too. `--json` keeps the ids whole, and every command takes back the first 8
 * characters the text shows, or a file's name alone.
 */
describe('names, not ids: an empty library', () => {
  const tmp = tempDir('vss-names-empty-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vss = (...args: string[]) => runCli(args, env);
  before(async () => {
    assert.equal((await vss('library', 'create', 'Empty')).code, 0);
    assert.equal((await vss('album', 'create', 'Nothing yet')).code, 0);
  });
  after(() => tmp.cleanup());

  it('every list says it is empty without an id', async () => {
    for (const args of [['stacks', 'list'], ['people', 'list'], ['similar'], ['album', 'show', 'Nothing yet'], ['album', 'list'],
      ['guardian', 'list', '--at-risk'], ['guardian', 'list', '--rot'], ['guardian', 'status'], ['devices', 'list']]) {
      const out = noUuid(args.join(' '), await vss(...args));
      assert.notEqual(out.trim(), '', `${args.join(' ')} says something`);
    }
  });
});

describe('names, not ids: stacks, near-duplicates, people, an album, the Guardian and devices', { skip: FIXTURES_SKIP || FACE_SAMPLES_SKIP }, () => {
  const tmp = tempDir('vss-names-');
  const dataDir = join(tmp.path, 'data');
  const env = { VSS_DATA_DIR: dataDir, VSS_NO_DAEMON: '1' };
  const vss = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]) => noUuid(args.join(' '), await vss(...args));
  const photos = join(tmp.path, 'photos');
  const faces = join(tmp.path, 'faces');
  const notes = join(tmp.path, 'notes');
  let shoot: Shoot;
  let paired: { device: string; browser: string };

  before(async () => {
    shoot = await makeShoot(join(photos, 'card'));
    mkdirSync(join(photos, 'trip'));
    copyFileSync(join(FIXTURES, 'livephoto/apple-iphone6s/train.jpg'), join(photos, 'trip', 'train.jpg'));
    await sharp(join(photos, 'trip', 'train.jpg')).rotate().resize(1600).jpeg({ quality: 55 }).toFile(join(photos, 'trip', 'train-small.jpg'));
    mkdirSync(faces);
    await sharp(join(faceSamplesDir()!, 'sample1.jpg')).toFile(join(faces, 'party.jpg'));
    // A note and its copy: rot in one is repaired from the other.
    for (const d of ['a', 'b']) mkdirSync(join(notes, d), { recursive: true });
    for (const d of ['a', 'b']) writeFileSync(join(notes, d, 'minutes.txt'), 'the minutes of the meeting, kept twice\n'.repeat(50));
    assert.equal((await vss('library', 'create', 'Home')).code, 0);
    for (const [dir, mode, generate] of [[photos, 'deep', 'thumb,phash'], [faces, 'deep', 'faces'], [notes, 'content', '']] as const) {
      const add = await vss('location', 'add', dir, '--mode', mode, ...(generate ? ['--generate', generate] : []));
      assert.equal(add.code, 0, add.stderr);
    }
    assert.equal((await vss('jobs', 'run', '--until-idle')).code, 0);
    paired = pairSomeDevices(dataDir);
  });
  after(() => tmp.cleanup());

  it('stacks list names each cover; stack set-cover takes the short id and a file name, and says the new cover by name', async () => {
    const text = await ok('stacks', 'list');
    const stacks = json<StackView[]>(await vss('stacks', 'list', '--json'));
    assert.match(stacks[0]!.stack_id, UUID, '--json keeps the whole id');
    const pair = stacks.find((s) => s.cover_name === 'DSC_0001.JPG');
    assert.ok(pair, text);
    const short = pair.stack_id.slice(0, 8);
    assert.ok(text.split('\n').some((l) => l.startsWith(short) && l.endsWith('cover DSC_0001.JPG')), text);
    // The RAW by its name alone, from anywhere: the one file of that name in the library.
    assert.match(await ok('stack', 'set-cover', short, 'DSC_0001.NEF'), new RegExp(`^Stack ${short} now shows DSC_0001\\.NEF\\.$`, 'm'));
    const stranger = await vss('stack', 'set-cover', short, 'train.jpg');
    assert.equal(stranger.code, 2);
    assert.match(stranger.stderr, /train\.jpg is not in stack [0-9a-f]{8}: its photos are .*DSC_0001\.NEF/);
    assert.doesNotMatch(stranger.stderr, UUID);
  });

  it('similar shows each group by its photos; similar keep takes their names and says what it kept by name', async () => {
    const text = await ok('similar');
    assert.match(text, /^\d+ near-duplicates:$/m);
    assert.ok(text.includes(join(photos, 'trip', 'train-small.jpg')), text);
    const kept = await ok('similar', 'keep', 'train.jpg', 'train-small.jpg');
    assert.match(kept, /^Kept train\.jpg; 1 file of 1 near-duplicate moved to the trash/m);
    assert.equal((await vss('trash', 'restore', join(photos, 'trip', 'train-small.jpg'))).code, 0);
  });

  it('people list: the faces waiting and how to name one, then each person by name, with the short ids the commands take', async () => {
    const waiting = await ok('people', 'list');
    assert.match(waiting, /3 faces found in 1 content, not yet grouped into people/);
    const content = /vss faces list ([0-9a-f]{8}) shows its faces/.exec(waiting)?.[1];
    assert.ok(content, waiting);
    const faceIds = (await ok('faces', 'list', content)).trim().split('\n').map((l) => l.split(/\s+/)[0]!);
    assert.equal(faceIds.length, 3);
    await ok('faces', 'assign', faceIds[0]!, 'Ana');
    await ok('faces', 'list', 'party.jpg');
    const listed = await ok('people', 'list');
    const ana = /^([0-9a-f]{8}) {2}Ana {2}1 face in 1 content$/m.exec(listed)?.[1];
    assert.ok(ana, listed);
    await ok('people', 'name', ana, 'Ana Horvat');
    await ok('people', 'faces', ana);
    assert.match(await ok('people', 'list'), /^[0-9a-f]{8} {2}Ana Horvat {2}/m);
  });

  it('album show lists its photos by name; an album is taken by the start of its id', async () => {
    // A photo of a stack goes in with its stack (the RAW beside its JPEG).
    const names = ['DSC_0001.JPG', 'DSC_0001.NEF', 'IMG_0002.CR3', 'IMG_0002.JPG', 'train.jpg'];
    await ok('album', 'add', 'Trip', 'train.jpg', 'DSC_0001.JPG', join(photos, 'card', 'IMG_0002.JPG'));
    const shown = json<AlbumShown>(await vss('album', 'show', 'Trip', '--json'));
    assert.match(shown.album_id, UUID);
    assert.deepEqual(Object.values(shown.names).sort(), names);
    const text = await ok('album', 'show', shown.album_id.slice(0, 8));
    assert.deepEqual(text.trim().split('\n').slice(1).map((l) => l.trim().replace(/ {2}\(cover\)$/, '')).sort(), names);
    const twice = await vss('album', 'create', 'Trip');
    assert.match(twice.stderr, new RegExp(`is there already \\(${shown.album_id.slice(0, 8)}\\)`));
  });

  it('guardian list --at-risk names each content by its file and says when each copy was verified as a person does', async () => {
    await ok('guardian', 'policy', '--copies', '2');
    const text = await ok('guardian', 'list', '--at-risk');
    assert.match(text, /^train\.jpg {2}image {2}/m);
    assert.match(text, /verified (just now|\d+ minutes? ago)/);
    await ok('guardian', 'status');
  });

  it('guardian list --rot names the rotten file and when it was found; guardian repair takes its name', async () => {
    flipBit(join(notes, 'a', 'minutes.txt'));
    assert.equal((await vss('guardian', 'scrub')).code, 0);
    const text = await ok('guardian', 'list', '--rot');
    assert.match(text, new RegExp(`^${join(notes, 'a', 'minutes.txt').replace(/[.]/g, '\\.')} {2}\\S+ \\S+ {2}found (just now|\\d+ minutes? ago)$`, 'm'));
    const repaired = await ok('guardian', 'repair', 'minutes.txt');
    assert.match(repaired, /^repaired .*minutes\.txt from /m);
    assert.match(await ok('guardian', 'list', '--rot'), /No rotten file found/);
  });

  it('devices list names each device with the start of its id, which revoke, rights and remove take', async () => {
    const text = await ok('devices', 'list');
    assert.match(text, new RegExp(`^Laptop {2}${paired.device.slice(0, 8)} {2}(paired|joined the library) 3 minutes ago {2}never seen since pairing$`, 'm'));
    assert.match(text, new RegExp(`^My phone {2}${paired.browser.slice(0, 8)} {2}paired just now {2}`, 'm'));
    assert.match(await ok('devices', 'rights', paired.device.slice(0, 8)), /^Laptop \([0-9a-f]{8}\) is a member of no library open here\.$/m);
    assert.match(await ok('devices', 'revoke', paired.browser.slice(0, 8)), /^Revoked My phone \([0-9a-f]{8}\): it is signed out\.$/m);
    assert.match(await ok('devices', 'remove', paired.device.slice(0, 8)), /^Removed Laptop \([0-9a-f]{8}\)/m);
    assert.match(await ok('devices', 'list'), /No paired devices/);
  });
});
