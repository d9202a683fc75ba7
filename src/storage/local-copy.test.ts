import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { XattrCopier } from './local-copy.js';

describe('the xattr helper without a Python', () => {
  it('knows a Python named by a path that is not there before it starts any process, and the copy goes on keeping none', async () => {
    const tmp = tempDir('vss-xattr-');
    const saved = process.env.VSS_PYTHON;
    process.env.VSS_PYTHON = join(tmp.path, 'no-such-python3');
    try {
      const a = join(tmp.path, 'a');
      const b = join(tmp.path, 'b');
      writeFileSync(a, 'a');
      writeFileSync(b, 'a');
      const copier = new XattrCopier();
      const answered = copier.copy([[a, b]]);
      // Said at once: a spawn that fails says so only after it forked (its 'error' comes later).
      assert.match(copier.unavailable ?? '', /python3 is not installed/);
      assert.deepEqual(await answered, [null]);
      copier.close();
    } finally {
      if (saved === undefined) delete process.env.VSS_PYTHON;
      else process.env.VSS_PYTHON = saved;
      tmp.cleanup();
    }
  });
});
