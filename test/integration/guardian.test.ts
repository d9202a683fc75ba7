import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianAtRisk, GuardianPolicyView, GuardianStatus } from '../../src/api/index.js';
import { json } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, type LoopVolume } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';

const ONCE = 'only here\n';
const DUPLICATED = 'twice on one drive\n';
const BACKED_UP = 'on two drives\n';

/**
 * `vss guardian` through the real CLI (issue 30 item 1): a library with a location on this
 * machine's disk and one on another drive (an ext4 image on a loop device). A copy counts once per
 * drive: a content in two folders of one drive exists once; one on both drives twice. A tag's
 * policy asks more of its contents wherever they are.
 */
describe('vss guardian: copies counted against a policy', { skip: loopSkipReason() }, () => {
  let t!: TwoDrives;
  let env: Record<string, string> = {};
  let tmp = '';
  let photos = '';
  let backup = '';
  let drive!: LoopVolume;
  const cli = (...args: string[]) => t.cli(...args);
  const uuidAt = (folder: string, name: string) => t.uuidAt(folder, name);
  const traces = () => t.traces();

  before(async () => {
    t = await twoDrives('vss-guardian-cli-', {
      sizeMiB: 64,
      run: runCli,
      files: { 'photos/once.txt': ONCE, 'photos/dup.txt': DUPLICATED, 'photos/sub/dup.txt': DUPLICATED, 'photos/kept.txt': BACKED_UP, 'backup/kept.txt': BACKED_UP },
      beforeLocations: (libs) => {
        // The smallest sampling threshold, so a file identified by samples stays small.
        const config = join(libs, 'G.sdlibrary', 'library.json');
        const c = JSON.parse(readFileSync(config, 'utf8')) as { settings?: Record<string, unknown> };
        writeFileSync(config, JSON.stringify({ ...c, settings: { ...c.settings, hashThresholdBytes: 16 * 1024 * 1024 } }));
      },
    });
    ({ env, tmp, photos, backup, drive } = t);
  });
  after(() => t?.stop());

  it('status: the content on two drives is safe; one on one drive (even in two folders) exists once', async () => {
    const s = json<GuardianStatus>(await cli('guardian', 'status', '--json'));
    const [self] = s.by_device;
    assert.ok(self && Math.abs(self.last_seen - Date.now()) < 60_000);
    const bytes = (...t: string[]) => t.reduce((n, x) => n + Buffer.byteLength(x), 0);
    assert.deepEqual(s, {
      policy: { copies: 2, devices: 1, offsite: 0 }, policy_chosen: false,
      contents: 3, bytes: bytes(ONCE, DUPLICATED, BACKED_UP),
      safe: { contents: 1, bytes: bytes(BACKED_UP) },
      short: { contents: 2, bytes: bytes(ONCE, DUPLICATED) },
      lost: { contents: 0, bytes: 0 },
      single: { contents: 2, bytes: bytes(ONCE, DUPLICATED) },
      stale: { contents: 0, bytes: 0 },
      rot: { contents: 0, bytes: 0 },
      trash: { files: 0, bytes: 0, last: 0 },
      library: { snapshots: 0, newest_at: null, fresh_drives: 0 },
      by_device: [{ device_id: self.device_id, name: self.name, contents: 3, bytes: bytes(ONCE, DUPLICATED, BACKED_UP), last_seen: self.last_seen, unconfirmed_since: null }],
      protect_schedule: null,
    });
  });

  it('a tag\'s policy covers its contents; list --at-risk names them with every copy, verified when indexed', async () => {
    await cli('tag', 'create', 'Keep');
    await cli('tag', 'add', 'Keep', join(photos, 'kept.txt'));
    const set = json<GuardianPolicyView>(await cli('guardian', 'policy', '--tag', 'Keep', '--copies', '3', '--json'));
    assert.deepEqual({ ...set, target: null, updated_at: null }, { scope: 'tag', target: null, name: 'Keep', copies: 3, devices: null, offsite: null, updated_at: null });
    const policies = json<GuardianPolicyView[]>(await cli('guardian', 'policy', '--json'));
    assert.deepEqual(policies.map((p) => [p.scope, p.name, p.copies, p.devices, p.offsite]), [['library', null, 2, 1, 0], ['tag', 'Keep', 3, null, null]]);

    const s = json<GuardianStatus>(await cli('guardian', 'status', '--json'));
    assert.deepEqual([s.safe.contents, s.short.contents, s.single.contents], [0, 3, 2]);

    const list = json<GuardianAtRisk[]>(await cli('guardian', 'list', '--at-risk', '--json'));
    const device = s.by_device[0]!;
    for (const item of list) {
      for (const c of item.copies) {
        assert.ok(c.verified_at !== null && Math.abs(c.verified_at - Date.now()) < 120_000, 'hashed whole when indexed: verified then');
        c.verified_at = 0;
        c.volume = c.volume === null ? null : c.path.startsWith(backup) ? 'drive' : 'disk';
      }
    }
    const copy = (path: string, location: string, volume: string) => ({ device_id: device.device_id, device_name: device.name, location, path, volume, verified_at: 0, online: true, rotten: false, unconfirmed: false });
    const once = list.find((i) => i.copies[0]!.path.endsWith('once.txt'))!;
    const dup = list.find((i) => i.copies[0]!.path.endsWith('dup.txt'))!;
    const kept = list.find((i) => i.copies[0]!.path.endsWith('kept.txt'))!;
    // Fewest copies first, then the largest.
    assert.deepEqual(list, [dup, once, kept]);
    assert.deepEqual(once, {
      content_uuid: once.content_uuid, size: Buffer.byteLength(ONCE), kind: once.kind,
      policy: { copies: 2, devices: 1, offsite: 0 }, has: { copies: 1, devices: 1, offsite: 0 },
      copies: [copy(join(photos, 'once.txt'), 'photos', 'disk')], short_by: { copies: 1, devices: 0, offsite: 0 }, lost: false,
    });
    assert.deepEqual(dup.copies, [copy(join(photos, 'dup.txt'), 'photos', 'disk'), copy(join(photos, 'sub', 'dup.txt'), 'photos', 'disk')]);
    assert.deepEqual({ ...dup, copies: [] }, {
      content_uuid: dup.content_uuid, size: Buffer.byteLength(DUPLICATED), kind: dup.kind,
      policy: { copies: 2, devices: 1, offsite: 0 }, has: { copies: 1, devices: 1, offsite: 0 }, copies: [], short_by: { copies: 1, devices: 0, offsite: 0 }, lost: false,
    });
    assert.deepEqual(kept, {
      content_uuid: kept.content_uuid, size: Buffer.byteLength(BACKED_UP), kind: kept.kind,
      policy: { copies: 3, devices: 1, offsite: 0 }, has: { copies: 2, devices: 1, offsite: 0 },
      copies: [copy(join(backup, 'kept.txt'), 'backup', 'drive'), copy(join(photos, 'kept.txt'), 'photos', 'disk')], short_by: { copies: 1, devices: 0, offsite: 0 }, lost: false,
    });
    assert.equal(json<GuardianAtRisk[]>(await cli('guardian', 'list', '--at-risk', '--limit', '1', '--json')).length, 1);

    const human = await cli('guardian', 'list', '--at-risk');
    assert.match(human.stdout, /short by 1 copy\n/);
    const refused = await runCli(['guardian', 'policy', '--copies', '0'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /at least one copy/);
  });

  it('a location\'s policy, then forgotten', async () => {
    await cli('guardian', 'policy', '--location', backup, '--offsite', '1');
    const s = json<GuardianStatus>(await cli('guardian', 'status', '--json'));
    assert.equal(s.safe.contents, 0);
    const kept = json<GuardianAtRisk[]>(await cli('guardian', 'list', '--at-risk', '--json')).find((i) => i.copies.length === 2 && i.copies[0]!.location === 'backup')!;
    assert.deepEqual(kept.policy, { copies: 3, devices: 1, offsite: 1 });
    await cli('guardian', 'policy', '--location', backup, '--clear');
    await cli('guardian', 'policy', '--tag', 'Keep', '--clear');
    assert.equal(json<GuardianStatus>(await cli('guardian', 'status', '--json')).safe.contents, 1);
  });

  it('a file identified by samples is not verified; a verified copy of it is', async () => {
    writeFileSync(join(photos, 'big.bin'), Buffer.alloc(17 * 1024 * 1024, 7));
    await cli('location', 'rescan', photos);
    const bigOf = async () => json<GuardianAtRisk[]>(await cli('guardian', 'list', '--at-risk', '--json')).find((i) => i.size === 17 * 1024 * 1024);
    assert.deepEqual((await bigOf())!.copies.map((c) => [c.location, c.verified_at]), [['photos', null]], 'samples read only part of it');
    await cli('files', 'copy', join(photos, 'big.bin'), `${backup}/`);
    assert.equal(await bigOf(), undefined, 'on two drives now: safe');
    await cli('guardian', 'policy', '--copies', '3');
    const copies = (await bigOf())!.copies;
    assert.deepEqual(copies.map((c) => [c.location, c.verified_at === null]), [['backup', false], ['photos', true]], 'the copy was hashed whole on both sides');
  });
});
