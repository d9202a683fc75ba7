import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { IndexResult } from '../../src/api/index.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';

/**
 * Issue 42, defect 13 (third item): a bucket location's key that cannot be a file's path is
 * skipped with a warning that names the key as the bucket stores it, so the user can find the
 * object: `s3://hostile/cam/.` for the key `cam/.`, never the location itself (`s3://hostile/cam`);
 * a key with control characters escaped on a terminal, exact in --json. Against s3rver on loopback
 * (it keeps keys as files, so only a last part `.` or `..` and an object beside a folder of its
 * name are keys it can hold among those vss skips).
 */
describe('a bucket location\'s keys that cannot be paths, named as stored', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-bucket-keys-');
  let s3: S3Server;
  let client: S3Client;
  let env: Record<string, string> = {};
  const CTL = 'cam/e\u001b[2Jx/..';

  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['hostile']);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    for (const key of ['cam/.', 'cam/sub/..', CTL, 'cam/x', 'cam/x/y.jpg', 'cam/ok.jpg']) {
      await client.send(new PutObjectCommand({ Bucket: 'hostile', Key: key, Body: `object ${key}` }));
    }
    env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1', ...s3.env };
    assert.equal((await runCli(['library', 'create', 'B', '--path', join(tmp.path, 'libs')], env)).code, 0);
  });
  after(async () => {
    client?.destroy();
    await s3?.stop();
    tmp.cleanup();
  });

  it('names each skipped key as stored; the location\'s own address only for the location', { skip }, async () => {
    const r = await runCli(['location', 'add', 's3://hostile/cam', '--endpoint', s3.endpoint, '--path-style', '--name', 'Hostile', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const added = json<IndexResult>(r);
    const skipped = new Map(added.skipped.map((s) => [s.path, s.reason]));
    assert.deepEqual([...skipped.keys()].sort(), ['s3://hostile/cam/.', 's3://hostile/cam/sub/..', `s3://hostile/${CTL}`, 's3://hostile/cam/x'].sort());
    assert.match(skipped.get('s3://hostile/cam/.')!, /`\.` or `\.\.` part/);
    assert.match(skipped.get('s3://hostile/cam/x')!, /the folder is indexed, not this object/);
    assert.deepEqual([added.files, added.skipped_total], [2, 4], 'cam/ok.jpg and cam/x/y.jpg indexed');

    // On a terminal's stderr: the same keys, a control character escaped, never the location alone.
    const text = await runCli(['location', 'rescan', 'Hostile', '--force'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stderr.includes('skipped s3://hostile/cam/.: '), text.stderr);
    assert.ok(text.stderr.includes('skipped "s3://hostile/cam/e\\u001b[2Jx/..": '), text.stderr);
    assert.ok(!text.stderr.includes('\u001b'), 'no control character reaches the terminal');
    assert.doesNotMatch(text.stderr, /skipped s3:\/\/hostile\/cam: /);
  });
});
