import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileOpOutcome, TrashEmptyResult } from '../../src/api/index.js';
import { json, until, type CliResult } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { laptopAndDesktop, writeText } from '../laptop-and-desktop.js';

interface LsItem { name: string; content_uuid: string | null }
interface Job { id: number; status: string; note: string | null; error: string | null }

/** Contents held on both devices, one file each (the same bytes), for the rounds of two deletes at once. */
const ROUNDS = 8;
/** Files the laptop's slow drop of (c) deletes: its copies all leaning on the desktop's, locked for it. */
const MANY = 1000;

/**
 * Every side asks its own guard, and another device's copy counts only while that device locks it
 * (DESIGN §19, issue 42; faults note 2026-11-25 defect 4 and D2): two real daemons paired over
 * loopback, the Laptop (A, its location Photos) and the Desktop (B, its location Documents), each
 * with the policy of one copy, driven through the CLI. Nothing is left to a copy nobody can vouch
 * for now at the permanent step (DESIGN §21: a delete --permanent, the trash's empty; a delete into
 * the trash loses nothing and is never refused): a delete for good while the other device is away
 * is refused, and the trash keeps a file it leans on that device for; two deletes for good at once
 * never take both copies; a device's own delete of a copy locked for the other's drop waits; and a
 * paired device's replace over the Desktop's last copy is weighed by the Desktop's Guardian.
 */
describe('guardian across two devices: copies locked for a drop, every side its own guard', () => {
  const t = laptopAndDesktop('vss-guardian-locks-', runCli);
  const { A, B, photos, documents, ok } = t;
  const log = () => (existsSync(join(B.VSS_DATA_DIR, 'daemon.log')) ? readFileSync(join(B.VSS_DATA_DIR, 'daemon.log'), 'utf8') : '');
  /** Until OWNER's files at RELS (in DIR of its location) are known to VIEWER with their contents. */
  const known = (viewer: Record<string, string>, where: string, rels: string[]) => until(`${where} known on the other device`, 60_000, async () => {
    const r = await runCli(['ls', where, '--json'], viewer);
    if (r.code !== 0) return undefined;
    const have = new Set(json<LsItem[]>(r).filter((i) => i.content_uuid !== null).map((i) => i.name));
    return rels.every((n) => have.has(n)) ? true : undefined;
  }, 300);
  const job = async (env: Record<string, string>, id: number) => json<Job>(await runCli(['jobs', 'info', String(id), '--json'], env));
  const ended = (env: Record<string, string>, id: number) => until(`job ${id} ended`, 120_000, async () => {
    const j = await job(env, id);
    return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, 200);
  const detached = async (env: Record<string, string>, ...args: string[]) => json<{ job: { id: number } }>(await ok(env, ...args, '--detach', '--json')).job.id;

  before(async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const bytes = randomBytes(4096);
      for (const d of [photos, documents]) {
        mkdirSync(join(d, 'rounds'), { recursive: true });
        writeFileSync(join(d, 'rounds', `r${i}.bin`), bytes);
      }
    }
    for (let i = 0; i < MANY; i++) {
      const bytes = randomBytes(512);
      for (const d of [photos, documents]) {
        mkdirSync(join(d, 'many'), { recursive: true });
        writeFileSync(join(d, 'many', `f${String(i).padStart(4, '0')}.bin`), bytes);
      }
    }
    const apart = randomBytes(200 * 1024);
    writeFileSync(join(photos, 'q.bin'), apart);
    writeFileSync(join(documents, 'q.bin'), apart);
    writeText(join(documents, 'victim.txt'), 'the Desktop\'s only copy\n');
    writeText(join(documents, 'x', 'victim.txt'), 'another text of the Desktop\n');
    writeText(join(photos, 'evil', 'victim.txt'), 'from the Laptop\n');
    await t.setUp();
    await ok(A, 'guardian', 'policy', '--copies', '1');
    await ok(B, 'guardian', 'policy', '--copies', '1');
    await known(A, 'Desktop:/Documents', ['q.bin', 'victim.txt']);
    await known(B, 'Laptop:/Photos', ['q.bin']);
    await known(A, 'Desktop:/Documents/rounds', Array.from({ length: ROUNDS }, (_, i) => `r${i}.bin`));
    await known(B, 'Laptop:/Photos/rounds', Array.from({ length: ROUNDS }, (_, i) => `r${i}.bin`));
    await known(A, 'Desktop:/Documents/many', Array.from({ length: MANY }, (_, i) => `f${String(i).padStart(4, '0')}.bin`));
  });
  after(() => t.stop());

  it('D2: a paired device\'s replace over the Desktop\'s last copy is refused by the Desktop\'s Guardian, with its reason; --force goes only where the Desktop lets peers force it', async () => {
    const victim = join(documents, 'victim.txt');
    const copyOver = (...extra: string[]) => runCli(['files', 'copy', join(photos, 'evil', 'victim.txt'), 'Desktop:/Documents', '--on-conflict', 'replace', ...extra], A);
    // The control: the Desktop's own replace of its last copy is refused by the same guard.
    const own = await runCli(['files', 'copy', join(documents, 'x', 'victim.txt'), `${documents}/`, '--on-conflict', 'replace'], B);
    assert.notEqual(own.code, 0);
    assert.match(own.stderr, /below its policy .*the last copy in the library of content/);

    const refused = await copyOver();
    assert.notEqual(refused.code, 0, `refused: ${refused.stdout}`);
    assert.match(refused.stderr, /refused by the receiving device: this replace would leave a content below its policy/);
    assert.match(refused.stderr, /the last copy in the library of content [0-9a-f-]{36} \(.*victim\.txt\)/);
    assert.match(refused.stderr, /vss device peer-force on/);
    assert.equal(readFileSync(victim, 'utf8'), 'the Desktop\'s only copy\n', 'nothing replaced');

    // --force from the Laptop: the Desktop takes no peer's force unless its user allows it.
    const forcedNo = await copyOver('--force');
    assert.notEqual(forcedNo.code, 0);
    assert.match(forcedNo.stderr, /It was asked with --force, which the receiving device takes from other devices only when its user allows it/);
    assert.equal(readFileSync(victim, 'utf8'), 'the Desktop\'s only copy\n', 'nothing replaced');

    assert.equal(json<{ peer_force: boolean }>(await ok(B, 'device', 'peer-force', '--json')).peer_force, false, 'off by default');
    assert.equal(json<{ peer_force: boolean }>(await ok(B, 'device', 'peer-force', 'on', '--json')).peer_force, true);
    try {
      const forced = await copyOver('--force');
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(readFileSync(victim, 'utf8'), 'from the Laptop\n', 'forced, and the Desktop lets peers force it: replaced');
    } finally {
      await ok(B, 'device', 'peer-force', 'off');
    }
  });

  it('defect 4 online: two deletes for good of the two copies asked at once never take both (several rounds)', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const [a, b] = await Promise.all([
        runCli(['files', 'delete', '--permanent', join(photos, 'rounds', `r${i}.bin`)], A),
        runCli(['files', 'delete', '--permanent', join(documents, 'rounds', `r${i}.bin`)], B),
      ]);
      const left = [existsSync(join(photos, 'rounds', `r${i}.bin`)), existsSync(join(documents, 'rounds', `r${i}.bin`))];
      outcomes.push(`${a.code === 0 ? 'A went' : 'A refused'}/${b.code === 0 ? 'B went' : 'B refused'}`);
      assert.ok(left[0] || left[1], `round ${i}: both copies gone (${outcomes[i]})`);
      assert.equal([a, b].filter((r) => r.code === 0).length, 2 - left.filter(Boolean).length, `round ${i}: what says it went is what went`);
      for (const r of [a, b] as CliResult[]) if (r.code !== 0) assert.match(r.stderr, /below its policy/);
    }
    console.log(`# ${ROUNDS} rounds of two deletes at once: ${outcomes.join(', ')}`);
  });

  it('defect 4, a drop under way: the Desktop\'s own delete for good of a copy locked for the Laptop\'s drop waits for it, then is weighed by the rule', async () => {
    const laptop = json<{ pid: number }>(await ok(A, 'daemon', 'status', '--json')).pid;
    const logged = log().length;
    const dropping = await detached(A, 'files', 'delete', '--permanent', join(photos, 'many'));
    // The Desktop locked its copies for the Laptop's drop: the Laptop is held still there, mid-drop, its lock kept.
    await until('the Desktop locked its copies for the Laptop', 60_000, async () => (/copies locked for another device's drop"/.test(log().slice(logged)) ? true : undefined), 20);
    process.kill(laptop, 'SIGSTOP');
    let mine: number;
    try {
      assert.doesNotMatch(log().slice(logged), /drop released/, 'the Laptop\'s drop still runs (stopped in its middle)');
      mine = await detached(B, 'files', 'delete', '--permanent', join(documents, 'many', 'f0007.bin'));
      const waiting = await until('the Desktop\'s delete waits for the Laptop', 30_000, async () => {
        const j = await job(B, mine);
        return j.note !== null && /Laptop counts on .*f0007\.bin now/.test(j.note) ? j : undefined;
      }, 100);
      assert.ok(['queued', 'running'].includes(waiting.status), `waiting, not ended (${waiting.status})`);
      assert.ok(existsSync(join(documents, 'many', 'f0007.bin')));
    } finally {
      process.kill(laptop, 'SIGCONT');
    }
    const theirs = await ended(A, dropping);
    assert.equal(theirs.status, 'completed', theirs.error ?? '');
    assert.ok(!existsSync(join(photos, 'many')), 'the Laptop\'s drop went, leaning on the Desktop\'s locked copies');
    // The Laptop's copy is gone now: the Desktop's delete is weighed again and refused (its copy is the last).
    const after = await ended(B, mine);
    assert.equal(after.status, 'failed');
    assert.match(after.error ?? '', /below its policy.*f0007\.bin/);
    assert.ok(existsSync(join(documents, 'many', 'f0007.bin')), 'the last copy stays');
  });

  it('defect 4 apart: a delete for good leaning on a device that is away is refused, saying its copy can\'t be confirmed now, and so is emptying the trash of it; --force goes; and the other\'s delete for good while this one is away is refused too', async () => {
    await ok(B, 'daemon', 'stop');
    const refused = await until('the Desktop seen away', 30_000, async () => {
      const r = await runCli(['files', 'delete', '--permanent', join(photos, 'q.bin')], A);
      return r.code !== 0 && /offline/.test(r.stderr) ? r : undefined;
    }, 300);
    assert.match(refused.stderr, /Desktop's copy \(q\.bin\) can't be confirmed now \(Desktop is offline\)/);
    assert.ok(existsSync(join(photos, 'q.bin')), 'kept');
    // Into the trash it goes (not nowhere else: the Desktop has it); out of it, not while the Desktop can't lock its copy.
    const trashed = json<FileOpOutcome>(await ok(A, '--json', 'files', 'delete', join(photos, 'q.bin')));
    assert.equal(trashed.result?.trash, true);
    assert.deepEqual(trashed.result?.below_policy?.map((x) => [x.path, x.have, x.nowhere_else]), [[join(photos, 'q.bin'), 0, undefined]]);
    const emptied = json<TrashEmptyResult>(await ok(A, '--json', 'trash', 'empty'));
    assert.deepEqual([emptied.files, emptied.kept.map((k) => k.path)], [0, [join(photos, 'q.bin')]], 'the trash keeps it');
    assert.match(emptied.kept[0]!.reason, /Desktop's copy \(q\.bin\) can't be confirmed now \(Desktop is offline\)/);
    await ok(A, 'trash', 'restore', join(photos, 'q.bin'));
    assert.ok(existsSync(join(photos, 'q.bin')), 'restored');
    await ok(A, 'files', 'delete', '--permanent', join(photos, 'q.bin'), '--force');
    assert.ok(!existsSync(join(photos, 'q.bin')), 'forced: gone');
    // Now the Laptop is away, and the Desktop deletes its copy counting on the Laptop's: refused (the note's second half).
    await ok(A, 'daemon', 'stop');
    const theirs = await runCli(['files', 'delete', '--permanent', join(documents, 'q.bin')], B);
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.stderr, /below its policy/);
    assert.ok(existsSync(join(documents, 'q.bin')), 'the last copy stays');
  });
});
