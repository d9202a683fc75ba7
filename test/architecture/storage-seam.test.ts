import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fsImports } from './fs-imports.js';
import { sourceFiles } from './source-imports.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/**
 * The folders that reach a location's files only through the storage seam (docs/architecture.md,
 * "A storage seam"): the indexer, hashing and the rest of content identity, file operations, the
 * durable operations, and originals served to and fetched from peers. Their tests may make files.
 */
const SEAMED = ['indexer/', 'content/', 'files/', 'ops/', 'sync/library/'];

describe('the indexer, hashing, file operations and originals reach the disk only through src/storage/ (docs/architecture.md)', () => {
  it('no module of those folders imports node:fs', () => {
    const files = sourceFiles(SRC).filter((f) => SEAMED.some((d) => f.startsWith(d)) && !/\.test\.tsx?$/.test(f));
    assert.ok(files.length > 40, `the folders are where the check looks (${files.length} files found)`);
    const found = files.flatMap((f) => fsImports(SRC, f)).map((i) => `${i.file}:${i.line} ${i.how}`);
    assert.deepEqual(found, [], `node:fs outside the storage seam (use the location's storage, src/storage/):\n  ${found.join('\n  ')}`);
  });
});

describe('the check itself', () => {
  it('sees every way a module reaches node:fs, and nothing else', () => {
    const text = [
      "import { lstatSync } from 'node:fs';",
      "import type { Stats } from 'fs';",
      "import * as fsp from 'node:fs/promises';",
      "export { open } from 'fs/promises';",
      "const m = await import('node:fs');",
      "const r = require('fs');",
      "let s: import('node:fs').Stats;",
      "import { join } from 'node:path';",
      "import { LocalDisk } from '../storage/local-disk.js';",
      "const fsLike = 'node:fs';",
    ].join('\n');
    assert.deepEqual(fsImports(SRC, 'x.ts', text).map((i) => `${i.line} ${i.how}`), ['1 import', '2 import type', '3 import', '4 export', '5 import()', '6 require()', '7 import type']);
  });
});
