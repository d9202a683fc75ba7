import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

interface Result { done: number; skipped: number; folders: number; skipped_items: Array<{ path: string; reason: string }> }
interface Outcome { job: { id: number; status: string }; result: Result }

/** The bytes of a name that is not UTF-8: `bad`, 0xFF, `.bin` (Linux allows any bytes in a name but '/' and NUL). */
const BAD = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff]), Buffer.from('.bin')]);
/** How vss shows that name: each byte that is not UTF-8 as \xNN. */
const SHOWN = 'bad\\xff.bin';

/** Make a file named BAD in DIR with BYTES; false where the filesystem refuses such a name. */
function makeBadName(dir: string, bytes: Buffer): boolean {
  try {
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), BAD]), bytes);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EILSEQ' || (err as NodeJS.ErrnoException).code === 'EINVAL') return false;
    throw err;
  }
}

/** The names in DIR as bytes. */
const namesOf = (dir: string) => readdirSync(dir, { encoding: 'buffer' });
const holdsBad = (dir: string, bytes: Buffer) => namesOf(dir).some((n) => n.equals(BAD)) && readFileSync(Buffer.concat([Buffer.from(`${dir}/`), BAD])).equals(bytes);

/**
 * Issue 42, defect 12: a folder holding a file whose name is not valid UTF-8. The file operations
 * list names as bytes; such a file is left where it is and named in the result (shown with \xNN),
 * its folder is kept and not counted as deleted, and it is never reported "gone".
 */
describe('file operations and a name that is not UTF-8', () => {
  const tmp = tempDir('vss-unnamed-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const loc = join(tmp.path, 'loc');
  let refused: string | false = false;
  after(() => tmp.cleanup());
  const op = async (args: string[]) => {
    const r = await runCli(['files', ...args], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    mkdirSync(join(loc, 'u'), { recursive: true });
    if (!makeBadName(join(loc, 'u'), randomBytes(10))) refused = 'this filesystem refuses names that are not UTF-8';
    assert.equal((await runCli(['library', 'create', 'L', '--path', join(tmp.path, 'lib')], env)).code, 0);
    assert.equal((await runCli(['location', 'add', loc, '--mode', 'content'], env)).code, 0);
  });

  it('delete of a folder: its other files go, that file stays and is named, and so does its folder (not counted deleted)', async (t) => {
    if (refused) return t.skip(refused);
    const bad = randomBytes(7000);
    mkdirSync(join(loc, 'd'));
    writeFileSync(join(loc, 'd', 'ok.bin'), randomBytes(5000));
    assert.ok(makeBadName(join(loc, 'd'), bad));
    await runCli(['location', 'rescan', loc], env);
    const out = json<Outcome>(await op(['delete', join(loc, 'd'), '--force', '--json']));
    assert.equal(out.job.status, 'completed');
    assert.deepEqual([out.result.done, out.result.skipped, out.result.folders], [1, 1, 0]);
    assert.deepEqual(out.result.skipped_items.map((s) => s.path), [join(loc, 'd', SHOWN), join(loc, 'd')]);
    assert.match(out.result.skipped_items[0]!.reason, /not valid UTF-8.*left where it is/);
    assert.match(out.result.skipped_items[1]!.reason, /^kept: it still holds bad\\xff\.bin/);
    assert.ok(!existsSync(join(loc, 'd', 'ok.bin')));
    assert.ok(holdsBad(join(loc, 'd'), bad), 'the file is there, its bytes untouched');

    // Said to a person too: each by name.
    mkdirSync(join(loc, 'e'));
    assert.ok(makeBadName(join(loc, 'e'), bad));
    const text = (await op(['delete', join(loc, 'e'), '--force'])).stdout;
    assert.match(text, /Deleted 0 B \(0 files, 1 skipped; in the trash, restorable for 30 days: vss trash list; job \d+\)/);
    assert.ok(text.includes(`skipped ${join(loc, 'e', SHOWN)}: its name is not valid UTF-8`), text);
    assert.ok(text.includes(`skipped ${join(loc, 'e')}: kept: it still holds ${SHOWN}`), text);
    assert.ok(holdsBad(join(loc, 'e'), bad));
  });

  it('copy of a folder: that file is not copied, named; the rest is', async (t) => {
    if (refused) return t.skip(refused);
    const out = json<Outcome>(await op(['copy', join(loc, 'u'), join(tmp.path, 'out') + '/', '--json']));
    assert.deepEqual([out.result.done, out.result.skipped], [0, 1]);
    assert.deepEqual(out.result.skipped_items.map((s) => s.path), [join(loc, 'u', SHOWN)]);
    assert.deepEqual(namesOf(join(tmp.path, 'out', 'u')), []);
  });
});

describe('a move to another drive of a folder holding a name that is not UTF-8', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-unnamed-move-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vols: LoopVolume[] = [];
  after(() => {
    for (const v of vols) v.remove();
    tmp.cleanup();
  });

  it('moves the other files, leaves that one at the source with its folder, and names it: never "gone"', async (t) => {
    vols.push(makeLoopVolume({ sizeMiB: 64 }), makeLoopVolume({ sizeMiB: 64 }));
    const [A, B] = [vols[0]!.mountPoint!, vols[1]!.mountPoint!];
    mkdirSync(join(A, 'u'));
    const ok = randomBytes(5000);
    const bad = randomBytes(7000);
    writeFileSync(join(A, 'u', 'ok.bin'), ok);
    if (!makeBadName(join(A, 'u'), bad)) return t.skip('ext4 refused a name that is not UTF-8');
    assert.equal((await runCli(['library', 'create', 'L', '--path', join(tmp.path, 'lib')], env)).code, 0);
    for (const d of [A, B]) assert.equal((await runCli(['location', 'add', d, '--mode', 'content'], env)).code, 0);
    const r = await runCli(['files', 'move', join(A, 'u'), `${B}/`, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = json<Outcome>(r);
    assert.deepEqual([out.result.done, out.result.skipped], [1, 1]);
    assert.deepEqual(out.result.skipped_items.map((s) => s.path), [join(A, 'u', SHOWN)]);
    assert.match(out.result.skipped_items[0]!.reason, /not valid UTF-8.*left where it is/);
    assert.ok(readFileSync(join(B, 'u', 'ok.bin')).equals(ok));
    assert.ok(!existsSync(join(A, 'u', 'ok.bin')));
    assert.ok(holdsBad(join(A, 'u'), bad), 'left at the source, its bytes untouched');
    assert.ok(!namesOf(join(B, 'u')).some((n) => n.toString('latin1').startsWith('bad')));
  });
});
