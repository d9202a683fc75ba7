import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianRotView, GuardianStatus, RepairResult, ScrubResult } from '../../src/api/index.js';
import { json, until } from '../helpers.js';
import { laptopAndDesktop, writeText } from '../laptop-and-desktop.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere } from '../support/cli-here.js';

interface Status { listen: string[] }

const TEXT = 'a photo kept on two devices\n';

/**
 * Rot repaired from a paired device (issue 30 item 5), between two real daemons over loopback:
 * the desktop's only copy of a content rots; the laptop holds the same content; `guardian repair`
 * on the desktop brings the laptop's original over (verified), keeps the damaged file aside and
 * puts the good bytes in place.
 */
describe('guardian repair from a paired device', () => {
  const t = laptopAndDesktop('vss-guardian-rot-2-', cliHere);
  const { tmp, A, B, photos, documents, ok } = t;
  after(() => t.stop());

  it('the desktop\'s rotten copy is replaced by the laptop\'s original, the damaged file kept aside', async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(documents, { recursive: true });
    writeFileSync(join(photos, 'kept.txt'), TEXT);
    writeFileSync(join(documents, 'kept.txt'), TEXT);
    // Whole seconds: Node's utimes (setting the time back after the flip) keeps no more than the millisecond.
    utimesSync(join(documents, 'kept.txt'), 1_700_000_000, 1_700_000_000);
    await t.setUp();
    await until('the laptop\'s copy known on the desktop', 30_000, async () => {
      const s = json<GuardianStatus>(await ok(B, 'guardian', 'status', '--json'));
      return s.safe.contents === 1 ? s : undefined;
    });

    // Rot as a disk makes it leaves the ctime as it was; the flip below cannot (it writes), and the
    // desktop's watcher would list the folder and identify the file again, as edited: the folder
    // is not watched while the rot is made.
    await ok(B, 'location', 'pause', documents);
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
