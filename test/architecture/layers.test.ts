import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeImports, sourceFiles, topFolder, type RuntimeImport } from './source-imports.js';
import { sqlPlaces } from './sql-places.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');
const ARCHITECTURE = join(REPO, 'docs', 'architecture.md');

/** The layer table of docs/architecture.md: folder → rank. */
function layerRanks(): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const m of readFileSync(ARCHITECTURE, 'utf8').matchAll(/^\|\s*(\d+)\s*\|\s*`([a-z0-9-]+)`\s*\|/gm)) ranks.set(m[2]!, Number(m[1]));
  return ranks;
}

/** Run-time imports that point up the table or sideways: the layers' violations. */
function violations(imports: RuntimeImport[], ranks: Map<string, number>): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const a = topFolder(i.from);
    const b = topFolder(i.to);
    if (a === b || !ranks.has(a) || !ranks.has(b)) continue;
    if (ranks.get(b)! >= ranks.get(a)!) out.push(`${i.from} → ${i.to} (${i.how}: ${a} ${ranks.get(a)} may not import ${b} ${ranks.get(b)})`);
  }
  return out;
}

describe('where code lives (docs/architecture.md)', () => {
  const ranks = layerRanks();
  const files = sourceFiles(SRC);

  it('the layer table names every folder of src/, and only those', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    assert.deepEqual([...ranks.keys()].sort(), folders);
    assert.equal(new Set(ranks.values()).size, ranks.size, 'each folder has a rank of its own');
  });

  it('no run-time import points up the layers or sideways (so no loop between folders)', () => {
    const found = violations(files.flatMap((f) => runtimeImports(SRC, f)), ranks);
    assert.deepEqual(found, [], `run-time imports against the layers:\n  ${found.join('\n  ')}`);
  });

  it('SQL is written only in src/store and src/db', () => {
    const outside = files.filter((f) => !f.startsWith('store/') && !f.startsWith('db/'));
    const found = outside.flatMap((f) => sqlPlaces(SRC, f).map((p) => `${f}:${p.line}: ${p.what}`));
    assert.deepEqual(found, [], `SQL outside the stores:\n  ${found.join('\n  ')}`);
  });
});

describe('the checks themselves', () => {
  it('see static, dynamic and worker imports, and leave type-only imports out', () => {
    const text = [
      "import type { A } from '../api/a.js';",
      "import { type B } from '../api/b.js';",
      "import { type C, d } from '../api/c.js';",
      "import { e } from './e.js';",
      "export { f } from '../daemon/f.js';",
      "export type { G } from '../daemon/g.js';",
      "const h = await import('../cli/h.js');",
      "const w = new URL('./w.js', import.meta.url);",
      "import x from 'node:fs';",
    ].join('\n');
    const found = runtimeImports(SRC, 'core/x.ts', text).map((i) => `${i.to} ${i.how}`);
    assert.deepEqual(found, ['api/c.ts import', 'core/e.ts import', 'daemon/f.ts export', 'cli/h.ts import()', 'core/w.ts new URL()']);
    const ranks = new Map([['core', 2], ['api', 19], ['daemon', 20], ['cli', 21]]);
    assert.equal(violations(runtimeImports(SRC, 'core/x.ts', text), ranks).length, 3);
    assert.equal(violations(runtimeImports(SRC, 'cli/x.ts', "import { a } from '../core/a.js';"), ranks).length, 0);
  });

  it('find SQL text and database calls, not a regular expression or prose', () => {
    const text = [
      "const a = db.prepare('SELECT id FROM entries WHERE id = ?');",
      'const b = `UPDATE jobs SET status = ${s}`;',
      "db.pragma('journal_mode = WAL');",
      "const m = /x/.exec(text);",
      "const note = 'select a file to open';",
      "db.prepare(sqlText);",
    ].join('\n');
    assert.deepEqual(sqlPlaces(SRC, 'x.ts', text).map((p) => p.line), [1, 2, 3, 6]);
  });
});
