import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renamePlaces, type RenamePlace } from './rename-places.js';
import { sourceFiles } from './source-imports.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/**
 * Files outside src/core/ that rename a file, how many times, and why that is not a landing
 * (docs/architecture.md: verified bytes land through src/core/landing.ts; only src/core/ renames
 * a file into place). A new rename anywhere else, or one more in these files, fails the check.
 */
const EXCEPTIONS: Record<string, { calls: number; why: string }> = {
  'storage/local-disk.ts': {
    calls: 3,
    why: 'the storage port\'s rename of a location\'s own file to another name in it (a file operation\'s move within one filesystem), '
      + 'and a move\'s source taken aside in its folder to be looked at once more before it goes, then put back if it changed (removeIfStill): '
      + 'no bytes are written, nothing lands or is verified',
  },
  'storage/local-tree.ts': {
    calls: 1,
    why: 'a file operation\'s move within one filesystem between two locations (or into a folder the user named) renames the user\'s own '
      + 'file: no bytes are written, nothing lands or is verified (one rename keeps a killed move at one place or the other, never neither)',
  },
  'storage/local-trash.ts': {
    calls: 1,
    why: 'the trash moves a user\'s own file aside within its location and back (issue 45): a rename on one filesystem, '
      + 'no bytes are written, nothing lands or is verified',
  },
  'jobs/space-reserve.ts': {
    calls: 1,
    why: 'the reserve of free space: zeros vss holds back, neither verified nor kept; a reserve lost in a crash is made again',
  },
  'daemon/logs.ts': {
    calls: 1,
    why: 'the daemon\'s log rotated at start: an existing file moved to its older name, nothing landed',
  },
};

const outOfPlace = (places: RenamePlace[]): string[] => {
  const byFile = new Map<string, RenamePlace[]>();
  for (const p of places) if (!p.file.startsWith('core/')) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  const wrong: string[] = [];
  for (const [file, ps] of byFile) {
    if (ps.length > (EXCEPTIONS[file]?.calls ?? 0)) wrong.push(...ps.map((p) => `${p.file}:${p.line} ${p.what}`));
  }
  return wrong;
};

describe('only src/core/ renames a file into place (docs/architecture.md)', () => {
  it('no file outside src/core/ calls rename/renameSync of node:fs, but the listed exceptions', () => {
    const places = sourceFiles(SRC).flatMap((f) => renamePlaces(SRC, f));
    const found = outOfPlace(places);
    assert.deepEqual(found, [], `renames outside src/core/ (verified bytes land through src/core/landing.ts; a durable write goes through src/core/fs-atomic.ts):\n  ${found.join('\n  ')}`);
    for (const [file, e] of Object.entries(EXCEPTIONS)) {
      assert.equal(places.filter((p) => p.file === file).length, e.calls, `${file} is listed with ${e.calls} rename(s): a stale exception is taken out of the list`);
    }
  });
});

describe('the check itself', () => {
  it('sees a rename imported by name, aliased, through the module or its promises, and handed on', () => {
    const text = [
      "import { renameSync, rename as mv, promises as fsp } from 'node:fs';",
      "import * as fs from 'fs';",
      "import fsd from 'node:fs/promises';",
      'renameSync("a", "b");',
      'await mv("a", "b");',
      'await fsp.rename("a", "b");',
      'fs.renameSync("a", "b"); await fs.promises.rename("a", "b");',
      'await fsd.rename("a", "b");',
      'const r = promisify(renameSync);',
      'class A { rename() {} renameSync = 1; } new A().rename(); trust.rename("x");',
    ].join('\n');
    const places = renamePlaces('/nowhere', 'sync/x.ts', text);
    assert.deepEqual(places.map((p) => p.line), [4, 5, 6, 7, 7, 8, 9]);
    assert.equal(outOfPlace(places).length, 7, 'all out of place in sync/');
    assert.deepEqual(outOfPlace(places.map((p) => ({ ...p, file: 'core/x.ts' }))), [], 'in src/core/ a rename is in place');
    assert.equal(outOfPlace(places.map((p) => ({ ...p, file: 'daemon/logs.ts' }))).length, 7, 'an exception holds for its own count only');
  });
});
