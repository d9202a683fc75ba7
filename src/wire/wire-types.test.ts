import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder as compiled (dist/src/wire) and as written (src/wire). */
const BUILT = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(BUILT, '..', '..', '..', 'src', 'wire');
const modules = readdirSync(SOURCE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

/** Every module specifier of SOURCE (imports, re-exports, bare and dynamic imports) with the statement that names it. */
function imports(source: string): Array<{ statement: string; spec: string }> {
  const found = [
    ...source.matchAll(/(?:^|\n)\s*((?:import|export)\b[^'";]*?\bfrom)\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/(?:^|\n)\s*(import)\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/\b(import)\(\s*['"]([^'"]+)['"]/g),
  ];
  return found.map((m) => ({ statement: m[1]!.trim(), spec: m[2]! }));
}

// The web app's type check (web/tsconfig.json: DOM, no Node types) reads these files, and esbuild
// erases them from the bundle only while they hold nothing but types.
describe('the wire types (src/wire)', () => {
  it('are types only: each compiles to an empty module', () => {
    assert.ok(modules.length >= 6, `found the wire modules (${modules.join(', ')})`);
    for (const f of modules) {
      const js = readFileSync(join(BUILT, f.replace(/\.ts$/, '.js')), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\/\/.*$/gm, '').trim();
      assert.equal(js, 'export {};', `${f} compiles to code`);
    }
  });

  it('import nothing but types of each other', () => {
    for (const f of modules) {
      for (const { statement, spec } of imports(readFileSync(join(SOURCE, f), 'utf8'))) {
        assert.match(statement, /^(?:import|export) type\b/, `${f}: ${statement} '${spec}' is not types only`);
        assert.match(spec, /^\.\/[\w-]+\.js$/, `${f} imports ${spec}, outside src/wire`);
      }
    }
  });

  it('the import check sees a runtime import and one from outside', () => {
    const found = imports("import type { A } from './browse.js';\nimport { B } from '../core/errors.js';\nexport type { C } from 'node:fs';\nexport type D = 'x' | 'y';\ntype E = typeof import('./x.js');");
    assert.deepEqual(found.map((i) => i.spec), ['./browse.js', '../core/errors.js', 'node:fs', './x.js']);
    assert.doesNotMatch(found[1]!.statement, /^(?:import|export) type\b/);
    assert.doesNotMatch(found[2]!.spec, /^\.\/[\w-]+\.js$/);
  });
});
