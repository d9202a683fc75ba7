import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../../test/helpers.js';
import { freeNameIn, NAME_MAX_BYTES } from './free-name.js';

/**
 * A name beside a taken one (free-name.ts) is one the filesystem takes: however long the name,
 * in whatever script, `NAME (2).EXT` … is made on a real disk (never ENAMETOOLONG), stays whole
 * UTF-8, keeps its extension and begins as the name did.
 */
describe('a free name beside a taken one fits the filesystem (free-name.ts)', () => {
  const tmp = tempDir('vss-free-name-');
  after(() => tmp.cleanup());
  let run = 0;

  it('is made on the disk, at most 255 bytes of whole characters, with the extension kept', () => {
    // Letters of 1 to 4 bytes of UTF-8, an accent that joins the letter before it, a flag of two code points.
    const letter = fc.constantFrom('a', 'Z', ' ', 'é', 'e\u0301', 'ß', '日', '本', '😀', '🇫🇷', '-', '(');
    fc.assert(fc.property(
      fc.array(letter, { minLength: 1, maxLength: 260, size: 'max' }), fc.constantFrom('.jpg', '.HEIC', '.mp4', ''), fc.integer({ min: 1, max: 3 }),
      (letters, ext, taken) => {
        let stem = letters.join('').trim() || 'x';
        while (Buffer.byteLength(stem + ext) > NAME_MAX_BYTES) stem = [...stem].slice(0, -1).join('').trim() || 'x';
        const name = stem + ext;
        const dir = join(tmp.path, `r${run++}`);
        mkdirSync(dir);
        // NAME and the first names beside it taken: the next must still be made.
        const made = [name];
        writeFileSync(join(dir, name), '0');
        for (let i = 1; i < taken; i++) {
          const next = basename(freeNameIn(dir, name));
          writeFileSync(join(dir, next), String(i));
          made.push(next);
        }
        const free = basename(freeNameIn(dir, name));
        assert.ok(Buffer.byteLength(free) <= NAME_MAX_BYTES, `${Buffer.byteLength(free)} bytes`);
        assert.equal(Buffer.from(free).toString(), free, 'whole UTF-8: no character cut in two');
        assert.ok(!made.includes(free), 'a name not taken');
        assert.ok(free.endsWith(`${ext}`) && /\(\d+\)$/.test(free.slice(0, free.length - ext.length)), `NAME (N)${ext}: ${free}`);
        const kept = free.slice(0, free.lastIndexOf(' ('));
        assert.ok(stem.startsWith(kept) && kept.length > 0, `begins as the name did: ${kept}`);
        writeFileSync(join(dir, free), 'new');
        assert.equal(extname(free), extname(name));
      },
    ), { numRuns: 150 });
  });
});
