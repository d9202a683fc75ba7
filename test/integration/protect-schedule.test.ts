import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianStatus, ProtectOutcome } from '../../src/api/index.js';
import { protectStarted, readProtectSchedule } from '../../src/guardian/protect-schedule.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const HOUR = 3600_000;

/**
 * `vss guardian protect --every HOURS`: the protect runs now and the daemon runs it again that
 * often, so an off-site bucket keeps up with the photos added since — through the real CLI, a real
 * daemon (its hourly look brought to every half second) and a real S3 server on loopback. A period
 * is made to pass by moving the schedule's last start back, as the hours would.
 */
describe('a protect on a schedule', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-protect-schedule-');
  const photos = join(tmp.path, 'photos');
  const dataDir = join(tmp.path, 'data');
  let s3: S3Server;
  let env: Record<string, string> = {};
  let libraryId = '';
  const ok = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const safe = async () => json<GuardianStatus>(await ok('guardian', 'status', '--json')).safe.contents;

  before(async () => {
    if (skip) return;
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(photos, 'first.jpg'), randomBytes(50_000));
    s3 = await startS3(join(tmp.path, 's3'), ['vss-test']);
    env = { VSS_DATA_DIR: dataDir, VSS_GUARDIAN_LOOK_MS: '500', ...s3.env };
    libraryId = json<{ id: string }>(await ok('library', 'create', 'Home', '--path', join(tmp.path, 'libs'), '--json')).id;
    await ok('location', 'add', photos, '--name', 'Photos', '--mode', 'content');
    await ok('volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite');
    await ok('guardian', 'policy', '--copies', '2', '--offsite', '1');
  });
  after(async () => {
    if (!skip) await runCli(['daemon', 'stop'], env);
    await s3?.stop();
    tmp.cleanup();
  });

  it('refuses hours that are not 1 to a year, --no-schedule with anything else, and --every with --dry-run: nothing scheduled', { skip }, async () => {
    for (const args of [['--every', '0'], ['--every', '1.5'], ['--every', 'daily'], ['--every', String(24 * 366)], ['--every', '3', '--no-schedule'], ['--every', '3', '--dry-run'], ['--no-schedule', '--dry-run'], ['--no-schedule']]) {
      const r = await runCli(['guardian', 'protect', '--to', 'Offsite', ...args], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /--every|--dry-run|--no-schedule/);
    }
    assert.equal(readProtectSchedule(dataDir, libraryId), null);
    assert.equal(await safe(), 0, 'and nothing was copied');
  });

  it('runs now and sets the schedule; the daemon runs it again once a period has passed, for what was added since; --no-schedule ends it', { skip, timeout: 120_000 }, async () => {
    const first = json<ProtectOutcome>(await ok('guardian', 'protect', '--to', 'Offsite', '--every', '24', '--json'));
    assert.equal(first.result?.copied?.done, 1);
    assert.deepEqual([first.schedule?.to, first.schedule?.every_hours], ['Offsite', 24]);
    assert.equal(await safe(), 1);
    assert.match((await ok('guardian', 'protect', '--to', 'Offsite', '--every', '24')).stdout, /The daemon runs this protect again every 24 h to Offsite/);
    assert.deepEqual(json<GuardianStatus>(await ok('guardian', 'status', '--json')).protect_schedule?.every_hours, 24);
    assert.match((await ok('guardian', 'status')).stdout, /^protect: the daemon runs it every 24 h to Offsite, last /m);

    writeFileSync(join(photos, 'second.jpg'), randomBytes(60_000));
    await ok('location', 'rescan', 'Photos');
    assert.equal(await safe(), 1, 'the new photo is held once');
    await ok('daemon', 'start', ...LOOPBACK);
    // A day passes for the schedule: its last start a day and an hour ago.
    const before = Date.now();
    protectStarted(dataDir, libraryId, before - 25 * HOUR);
    await until('the daemon\'s protect made the new photo safe', 60_000, async () => ((await safe()) === 2 ? true : undefined), 250);
    const ran = readProtectSchedule(dataDir, libraryId)!;
    assert.ok(ran.last_at >= before, 'the daemon recorded its start');
    assert.deepEqual([ran.to, ran.every_hours], ['Offsite', 24]);

    // Ended, and nothing run: its target may be gone (a protect it did not ask for would copy somewhere it did not choose).
    writeFileSync(join(photos, 'third.jpg'), randomBytes(40_000));
    await ok('location', 'rescan', 'Photos');
    const ended = json<ProtectOutcome>(await ok('guardian', 'protect', '--no-schedule', '--json'));
    assert.deepEqual(ended, { job: null, result: null, schedule: null });
    assert.equal(await safe(), 2, 'nothing was copied');
    assert.match((await ok('guardian', 'status')).stdout, /^protect: on demand/m);
    assert.equal(readProtectSchedule(dataDir, libraryId), null);
    assert.match((await ok('guardian', 'protect', '--no-schedule')).stdout, /^No protect schedule on this device now/m);
  });
});
