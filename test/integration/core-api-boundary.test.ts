import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { REPO } from '../helpers.js';

const CLI_DIR = join(REPO, 'src', 'cli');
/** The npm packages the CLI itself uses to parse arguments and draw progress. */
const CLI_PACKAGES = new Set(['commander', 'cli-progress']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every module specifier in a TypeScript source: static imports, re-exports and dynamic imports. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Why SPEC may not be imported by the CLI file at FILE, or null when it may. */
function violation(file: string, spec: string): string | null {
  if (spec.startsWith('node:') || builtinModules.includes(spec)) return null;
  const inDemo = relative(join(REPO, 'src'), file).split('\\').join('/').startsWith('cli/demo/');
  // The demo builds its sample media with the tools the generators run (sharp, ffmpeg).
  if (!spec.startsWith('.')) return CLI_PACKAGES.has(spec) || (inDemo && spec === 'sharp') ? null : `the npm package ${spec} (only the core API may load engines and libraries)`;
  const target = join(file, '..', spec);
  const rel = relative(join(REPO, 'src'), target).split('\\').join('/');
  if (rel.startsWith('cli/')) return null;
  // The core API: its index (types; and the whole core, for what runs in the process), the light
  // words an adapter checks its arguments against (api/words.ts, api/sidecar-kinds.ts), and the
  // way to the core a command takes when it runs (api/connect.ts, api/vss.ts, api/remote/).
  if (rel.startsWith('api/')) return null;
  // The bottom layer (errors, formats, what an address means: nothing of media or libraries).
  if (rel.startsWith('core/')) return null;
  // Daemon control (start, stop, logs, the UI's address): the daemon is an adapter beside the CLI.
  if (rel === 'daemon/index.js') return null;
  if (inDemo && rel.startsWith('generators/tools/')) return null;
  return `src/${rel} (the CLI reaches the core only through src/api/, and the daemon through src/daemon/index.js)`;
}

describe('the CLI is a thin adapter over the core API', () => {
  it('imports nothing of the core but src/api/ (and daemon control, src/daemon/index.js)', () => {
    const files = sources(CLI_DIR);
    assert.ok(files.length >= 10, `found the CLI sources (${files.length})`);
    const problems: string[] = [];
    let apiImports = 0;
    for (const f of files) {
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        const why = violation(f, spec);
        if (why) problems.push(`${relative(REPO, f)} imports ${why}`);
        if (spec.endsWith('api/index.js')) apiImports++;
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(apiImports > 0, 'the CLI uses the core API');
  });

  it('the check catches a direct import of a domain module, also a dynamic one', () => {
    const file = join(CLI_DIR, 'commands', 'x.ts');
    const found = specifiers("import { a } from '../../jobs/store.js';\nconst m = await import('../../sidecars/reconcile.js');\nexport { b } from '../../api/index.js';");
    assert.deepEqual(found, ['../../jobs/store.js', '../../api/index.js', '../../sidecars/reconcile.js']);
    assert.match(violation(file, '../../jobs/store.js') ?? '', /src\/jobs\/store\.js/);
    assert.match(violation(file, '../../sidecars/reconcile.js') ?? '', /src\/sidecars\/reconcile\.js/);
    assert.match(violation(file, 'sharp') ?? '', /npm package sharp/);
    assert.equal(violation(file, '../../api/index.js'), null);
    assert.equal(violation(file, '../output.js'), null);
    assert.equal(violation(file, 'node:fs'), null);
    assert.equal(violation(file, '../../daemon/index.js'), null);
    assert.match(violation(file, '../../daemon/daemon-core.js') ?? '', /src\/daemon\/daemon-core\.js/);
    assert.match(violation(file, '../../generators/tools/ffmpeg.js') ?? '', /generators/);
    assert.equal(violation(join(CLI_DIR, 'demo', 'sample-set.ts'), '../../generators/tools/ffmpeg.js'), null);
    assert.equal(violation(join(CLI_DIR, 'demo', 'sample-set.ts'), 'sharp'), null);
    assert.match(violation(join(CLI_DIR, 'demo', 'sample-set.ts'), '../../jobs/store.js') ?? '', /src\/jobs\/store\.js/);
  });
});
