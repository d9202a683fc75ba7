import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import type { GuardianProtectPlan, ProtectOutcome } from '../../src/api/index.js';
import { json, killNow, until } from '../helpers.js';
import { laptopAndDesktop } from '../laptop-and-desktop.js';
// The CLI in this process: these tests are about what the daemons do, not the CLI's process (test/support/cli-here.ts).
import { cliHere } from '../support/cli-here.js';

interface Job { id: number; status: string; error: string | null; attempts: number }

const FILES = 40;
const SIZE = 3 * 1024 * 1024;

/**
 * A protect to a paired device whose receiving daemon is killed (-9) in the middle and started
 * again (faults of 2026-11-25, defect 10): the job goes on once the desktop is back, and every
 * file is on the desktop once, with its bytes; none lands twice as `NAME (2)` (a file renamed
 * into place just before the kill is found by the journal written before its rename; the same
 * bytes offered again by another protect are answered placed), and no partial is left behind.
 */
describe('guardian protect to a device whose receiver is killed mid-transfer', () => {
  const t = laptopAndDesktop('vss-protect-kill-', cliHere);
  const { A, B, photos, documents, ok } = t;
  after(() => t.stop());
  const into = join(documents, 'safe', 'Photos', 'k');
  const state = join(documents, '.vss-drop');
  const landed = () => (existsSync(into) ? readdirSync(into).filter((n) => !n.startsWith('.vss-')) : []);
  const partials = () => (existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('.partial')) : []);
  const hashes = new Map<string, string>();

  it('the desktop killed -9 after some files landed, started again: the job completes, each file there once with its bytes, no partial left', async () => {
    mkdirSync(join(photos, 'k'), { recursive: true });
    for (let i = 1; i <= FILES; i++) {
      const name = `k${String(i).padStart(2, '0')}.bin`;
      const bytes = randomBytes(SIZE);
      writeFileSync(join(photos, 'k', name), bytes);
      hashes.set(name, blake3(bytes).toString('hex'));
    }
    await t.setUp();
    await ok(A, 'guardian', 'policy', '--copies', '2', '--devices', '2');
    await until('the desktop\'s location and the laptop\'s files known', 60_000, async () => {
      const plan = json<GuardianProtectPlan>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--dry-run', '--json'));
      return plan.files === FILES ? plan : undefined;
    }, 300);
    const queued = json<ProtectOutcome>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--detach', '--json')).job!;
    const pid = json<{ pid: number }>(await ok(B, 'daemon', 'status', '--json')).pid;
    // Killed while files land: some in place, the rest on their way.
    await until('a few files landed on the desktop', 60_000, async () => (landed().length >= 4 ? true : undefined), 2);
    await killNow(pid, 'the desktop\'s daemon');
    assert.ok(landed().length < FILES, `killed before the end (${landed().length} of ${FILES} there)`);
    await ok(B, 'daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0');
    const done = await until(`job ${queued.id} ended`, 180_000, async () => {
      const j = json<Job>(await ok(A, 'jobs', 'info', String(queued.id), '--json'));
      return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.deepEqual(landed().sort(), [...hashes.keys()].sort(), 'each file once, none as "NAME (2)"');
    for (const [name, hash] of hashes) assert.equal(blake3(readFileSync(join(into, name))).toString('hex'), hash, `${name}: its bytes`);
    assert.deepEqual(partials(), [], 'no partial left');
  });

  it('a protect made again before the laptop heard of the copies offers them again: answered placed, nothing lands twice', async () => {
    const again = json<ProtectOutcome>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--json'));
    assert.equal(again.job?.status ?? 'completed', 'completed', JSON.stringify(again));
    assert.deepEqual(landed().sort(), [...hashes.keys()].sort(), 'each file once, none as "NAME (2)"');
    assert.deepEqual(partials(), [], 'no partial left');
  });
});
