import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VolumeAdded } from '../../src/api/index.js';
import { json, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, useS3Env, type S3Server } from '../support/s3-server.js';
import { laptopAndDesktop, writeText } from '../laptop-and-desktop.js';

interface Content { content_uuid: string; paths: string[] }
interface Phrase { key_id: string; phrase: string }

/**
 * Issue 60 item 2 between two real daemons over loopback and a real S3 server: the laptop adds an
 * encrypted bucket (the key made, its phrase printed once) and protects to it; the desktop, paired
 * into the library, receives the key over the link it syncs by (the same phrase), adds the same
 * bucket sealed with it (no phrase: no key made), and gets a content whose only copy is the
 * laptop's object in the bucket, served by the laptop opened and verified.
 */
describe('an encrypted bucket on two devices of a library', async () => {
  const skip = await s3SkipReason();
  const t = laptopAndDesktop('vss-enc-devices-', runCli);
  const { tmp, A, B, photos, ok } = t;
  let s3: S3Server;
  let restoreEnv = (): void => undefined;
  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['vss-test']);
    // The daemons take the S3 keys from the environment they start in (the standard chain).
    restoreEnv = useS3Env(s3);
  });
  after(async () => {
    await t.stop();
    await s3?.stop();
    restoreEnv();
  });

  it('the key reaches the paired device, which adds the bucket with it and gets a content only the bucket holds', { skip, timeout: 180_000 }, async () => {
    writeText(join(photos, 'beach.txt'), 'a day at the beach, kept off-site only\n');
    await t.setUp();
    const added = json<VolumeAdded>(await ok(A, 'volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite', '--json'));
    assert.equal(added.phrase?.split(' ').length, 24);
    await ok(A, 'guardian', 'policy', '--copies', '1', '--devices', '0', '--offsite', '1');
    await ok(A, 'guardian', 'protect', '--to', 'Offsite');

    const there = await until("the library's bucket key on the desktop", 30_000, async () => {
      const r = await runCli(['library', 'key', 'phrase', '--yes', '--json'], B);
      return r.code === 0 ? json<Phrase>(r) : undefined;
    }, 250);
    assert.equal(there.phrase, added.phrase, 'the same key, received over the link');
    const onB = json<VolumeAdded>(await ok(B, 'volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite', '--json'));
    assert.deepEqual([onB.encrypted, onB.phrase], [true, null], 'sealed with the key it received: none made, no phrase');

    const uuid = json<Content[]>(await ok(A, 'content', 'list', '--json')).find((c) => c.paths.some((p) => p.endsWith('beach.txt')))!.content_uuid;
    await ok(A, 'files', 'delete', join(photos, 'beach.txt'));
    const desk = join(tmp.path, 'desk');
    mkdirSync(desk);
    const got = await until('the content got on the desktop from the laptop\'s bucket', 30_000, async () => {
      const r = await runCli(['content', 'get', uuid, '--to', desk, '--json'], B);
      return r.code === 0 ? json<{ path: string; from_device: string }>(r) : undefined;
    }, 500);
    assert.equal(got.from_device, 'Laptop');
    assert.equal(readFileSync(got.path, 'utf8'), 'a day at the beach, kept off-site only\n');
  });
});
