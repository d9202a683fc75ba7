import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { tempDir } from '../../../test/helpers.js';
import { members as devices, pullDirect, pullThrough, rowsOf, writeText as write, type Member as Dev } from '../../../test/support/library-members.js';
import { PeerLibrary } from './peer-library.js';

/*
 * Whatever A does and whichever way C's pulls go (from A, or through B as B holds A's rows), C
 * holds exactly what it was given: B's copy after a pull through B, A's after a pull from A
 * (DESIGN §15 "Trust"; issue 46 item 2). Names that sort one way in UTF-8 and another in UTF-16.
 */






const DIRS = ['x', 'x/y', 'z', '\uFFFD', '😀', 'x/\uFFFD'];
const NAMES = ['a', 'b', '\uFFFD', '😀', 'Z'];

type Edit =
  | { op: 'write'; dir: string; name: string; text: string }
  | { op: 'rm'; dir: string; name: string }
  | { op: 'rmdir'; dir: string }
  | { op: 'mv'; dir: string; to: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('write' as const), dir: fc.constantFrom('', ...DIRS), name: fc.constantFrom(...NAMES), text: fc.constantFrom('1', '22', '333') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rm' as const), dir: fc.constantFrom('', ...DIRS), name: fc.constantFrom(...NAMES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rmdir' as const), dir: fc.constantFrom(...DIRS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mv' as const), dir: fc.constantFrom(...DIRS), to: fc.constantFrom(...DIRS) }) },
);
type Pull = 'B<A' | 'C<A' | 'C<B';
const step = fc.record({ edits: fc.array(edit, { maxLength: 3 }), pulls: fc.array(fc.constantFrom<Pull>('B<A', 'C<A', 'C<B', 'C<B'), { maxLength: 3 }) });

function apply(tree: string, e: Edit): void {
  const dir = join(tree, e.dir);
  try {
    if (e.op === 'write') {
      mkdirSync(dir, { recursive: true });
      if (existsSync(join(dir, e.name)) && !e.text) return;
      rmSync(join(dir, e.name), { recursive: true, force: true });
      writeFileSync(join(dir, e.name), e.text);
    } else if (e.op === 'rm') rmSync(join(dir, e.name), { recursive: true, force: true });
    else if (e.op === 'rmdir') rmSync(dir, { recursive: true, force: true });
    else if (existsSync(dir) && !join(tree, e.to).startsWith(dir + '/') && e.to !== e.dir) {
      rmSync(join(tree, e.to), { recursive: true, force: true });
      mkdirSync(join(tree, e.to, '..'), { recursive: true });
      renameSync(dir, join(tree, e.to));
    }
  } catch {
    // A file standing where a folder is asked for (or the other way): the edit does nothing.
  }
}

describe('C holds exactly the copy of A\'s rows it was last given, from A or through B (issue 46 item 2)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let A: Dev, B: Dev, C: Dev, D: Dev;
  let tree: string;
  let locationId: number;
  let a: string;
  let runs = 0;

  before(() => {
    tmp = tempDir('vss-forward-prop-');
  });
  after(() => {
    for (const d of [A, B, C, D]) d?.lib.close();
    tmp.cleanup();
  });

  /** A's rows as a fresh full copy has them (D forgets A's rows, then pulls them whole). */
  async function truth(): Promise<string[]> {
    new PeerLibrary(D.lib).removeDevice(a);
    await pullDirect(D, A);
    return rowsOf(D.lib, a);
  }

  it('random edits on A, random pulls from A or through B: C equals its source after each, and A\'s copy at the end', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
      // Devices of their own per run: what one run leaves does not decide the next.
      for (const d of [A, B, C, D]) d?.lib.close();
      const root = join(tmp.path, `run${++runs}`);
      [A, B, C, D] = devices(root, ['a', 'b', 'c', 'd']) as [Dev, Dev, Dev, Dev];
      a = A.remote.deviceUuid;
      tree = join(root, 'tree');
      mkdirSync(tree, { recursive: true });
      writeFileSync(join(tree, 'seed'), 'seed');
      locationId = addLocation(A.lib, tree, { mode: 'content', name: 'Tree' }).id;
      await scanLocation(A.lib, locationId);
      try {
      for (const s of steps) {
        for (const e of s.edits) apply(tree, e);
        if (s.edits.length > 0) await scanLocation(A.lib, locationId);
        for (const p of s.pulls) {
          if (p === 'B<A') await pullDirect(B, A);
          else if (p === 'C<A') {
            await pullDirect(C, A);
            assert.deepEqual(rowsOf(C.lib, a), await truth());
          } else {
            // As the link does: through B only when B holds A's rows newer than C's (library-link.ts pullThrough).
            const held = new PeerLibrary(B.lib).held(C.remote.deviceUuid).find((h) => h.device === a);
            const here = new PeerLibrary(C.lib).askFor(a);
            if (!held || (here.epoch !== null && (here.epoch !== held.epoch || held.seq <= here.seq))) continue;
            await pullThrough(C, A, B);
            assert.deepEqual(rowsOf(C.lib, a), rowsOf(B.lib, a));
          }
        }
      }
      await pullDirect(C, A);
      const now = await truth();
      assert.deepEqual(rowsOf(C.lib, a), now);
      await pullDirect(B, A);
      assert.deepEqual(rowsOf(B.lib, a), now);
      } catch (err) {
        // fast-check's report leaves out the assertion's diff.
        console.error('forward-property failed', JSON.stringify(steps), err);
        throw err;
      }
    }), { numRuns: 4, endOnFailure: true });
  });
});

describe('a folder replaced by a file of the same name (a delta)', () => {
  it('takes the rows beneath it away, from A and through B', async () => {
    const tmp = tempDir('vss-forward-kind-');
    const [o, m, n] = devices(tmp.path, ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      const root = join(tmp.path, 'tree');
      mkdirSync(join(root, 'x', 'y'), { recursive: true });
      writeFileSync(join(root, 'x', 'a'), 'alpha');
      writeFileSync(join(root, 'x', 'y', 'b'), 'bravo');
      const loc = addLocation(o.lib, root, { mode: 'content', name: 'Tree' }).id;
      await scanLocation(o.lib, loc);
      await pullDirect(m, o);
      await pullThrough(n, o, m);
      rmSync(join(root, 'x'), { recursive: true });
      writeFileSync(join(root, 'x'), 'a file now');
      await scanLocation(o.lib, loc);
      await pullDirect(m, o);
      await pullThrough(n, o, m);
      const owner = o.remote.deviceUuid;
      for (const d of [m, n]) {
        const rows = rowsOf(d.lib, owner).filter((l) => !l.startsWith('loc '));
        assert.equal(rows.filter((l) => l.startsWith('folder ')).length, 1, rows.join('\n'));
        assert.equal(rows.filter((l) => !l.startsWith('folder ')).length, 1, rows.join('\n'));
      }
    } finally {
      for (const d of [o, m, n]) d.lib.close();
      tmp.cleanup();
    }
  });
});

describe('an empty folder made on A after B\'s full copy (a delta brings it)', () => {
  it('leaves B holding A\'s rows whole, to pass on', async () => {
    const tmp = tempDir('vss-forward-empty-');
    const [o, m, n] = devices(tmp.path, ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      const root = join(tmp.path, 'tree');
      mkdirSync(root, { recursive: true });
      writeFileSync(join(root, 'a'), 'alpha');
      const loc = addLocation(o.lib, root, { mode: 'content', name: 'Tree' }).id;
      await scanLocation(o.lib, loc);
      await pullDirect(m, o);
      mkdirSync(join(root, 'empty'));
      await scanLocation(o.lib, loc);
      const got = await pullDirect(m, o);
      assert.equal(got.full, false);
      assert.equal(new PeerLibrary(m.lib).held(n.remote.deviceUuid).length, 1);
    } finally {
      for (const d of [o, m, n]) d.lib.close();
      tmp.cleanup();
    }
  });
});
