import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianRotView, GuardianStatus, RepairResult, ScrubResult } from '../../src/api/index.js';
import { VSS_BIN, json, pairingCodeOf, runCli, tempDir, until } from '../helpers.js';

interface Status { listen: string[] }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const TEXT = 'a photo kept on two devices\n';

/**
 * Rot repaired from a paired device (issue 30 item 5), between two real daemons over loopback:
 * the desktop's only copy of a content rots; the laptop holds the same content; `guardian repair`
 * on the desktop brings the laptop's original over (verified), keeps the damaged file aside and
 * puts the good bytes in place.
 */
describe('guardian repair from a paired device', () => {
  const tmp = tempDir('vss-guardian-rot-2-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const photos = join(tmp.path, 'photos');
  const documents = join(tmp.path, 'documents');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });
  const ok = async (env: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  it('the desktop\'s rotten copy is replaced by the laptop\'s original, the damaged file kept aside', async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(documents, { recursive: true });
    writeFileSync(join(photos, 'kept.txt'), TEXT);
    writeFileSync(join(documents, 'kept.txt'), TEXT);
    // Whole seconds: Node's utimes (setting the time back after the flip) keeps no more than the millisecond.
    utimesSync(join(documents, 'kept.txt'), 1_700_000_000, 1_700_000_000);
    await ok(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'));
    await ok(A, 'device', 'rename', 'Laptop');
    await ok(B, 'device', 'rename', 'Desktop');
    await ok(A, 'daemon', 'start', ...LOOPBACK);
    await ok(B, 'daemon', 'start', ...LOOPBACK);
    await ok(A, 'location', 'add', photos, '--name', 'Photos', '--mode', 'content');
    const addrA = json<Status>(await ok(A, 'daemon', 'status', '--json')).listen[0]!;
    const pairing = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...A }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(pairing);
    const code = await pairingCodeOf(pairing);
    await ok(B, 'pair', 'join', ...code, '--peer', addrA, '--json');
    await ok(B, 'location', 'add', documents, '--name', 'Documents', '--mode', 'content');
    await until('the laptop\'s copy known on the desktop', 30_000, async () => {
      const s = json<GuardianStatus>(await ok(B, 'guardian', 'status', '--json'));
      return s.safe.contents === 1 ? s : undefined;
    });

    const path = join(documents, 'kept.txt');
    const st = statSync(path);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([TEXT.charCodeAt(4) ^ 0x20]), 0, 1, 4);
    closeSync(fd);
    utimesSync(path, st.atime, st.mtime);

    const scrub = json<ScrubResult>(await ok(B, 'guardian', 'scrub', '--json'));
    assert.equal(scrub.rot, 1);
    const [rotten] = json<GuardianRotView[]>(await ok(B, 'guardian', 'list', '--rot', '--json'));
    assert.equal(rotten!.path, path);

    const r = json<RepairResult>(await ok(B, 'guardian', 'repair', '--json'));
    assert.deepEqual(r.refused, []);
    assert.deepEqual(r.repaired.map((f) => [f.path, f.from]), [[path, `Laptop:${rotten!.content_uuid}`]]);
    assert.equal(readFileSync(path, 'utf8'), TEXT);
    const aside = readdirSync(documents).filter((n) => n.startsWith('.vss-damaged-'));
    assert.equal(aside.length, 1);
    assert.notEqual(readFileSync(join(documents, aside[0]!), 'utf8'), TEXT, 'the damaged bytes, kept');
    assert.equal(readdirSync(documents).filter((n) => n.startsWith('.vss-partial-')).length, 0, 'no partial left');
    assert.deepEqual(json<GuardianStatus>(await ok(B, 'guardian', 'status', '--json')).rot, { contents: 0, bytes: 0 });
  });
});
