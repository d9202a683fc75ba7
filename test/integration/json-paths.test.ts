import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/** Every string under a key that names a path (path, paths, root, dir, data_dir, socket), anywhere in VALUE. */
function pathsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /(^|_)(path|paths|root|dir|socket)$/.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => pathsIn(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => pathsIn(v, k));
  return [];
}

/** DESIGN §11: paths printed with --json are absolute, whatever the arguments and the working folder. */
describe('--json prints absolute paths', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const inTmp = { cwd: tmp.path };

  it('in every result, skipped files of location add and rescan included', async () => {
    mkdirSync(join(tmp.path, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(tmp.path, 'tree', 'a.txt'), 'a');
    execFileSync('mkfifo', [join(tmp.path, 'tree', 'sub', 'pipe')]);
    const commands = [
      ['library', 'create', 'J', '--path', 'libs'],
      ['library', 'list'],
      ['library', 'current'],
      ['location', 'add', 'tree'],
      ['location', 'rescan', '1'],
      ['location', 'list'],
      ['content', 'list'],
      ['sidecars', 'list'],
      ['sidecars', 'reconcile'],
      ['sidecars', 'convert-references', '--force'],
      ['jobs', 'list'],
      ['models', 'list'],
    ];
    const seen: string[] = [];
    for (const args of commands) {
      const r = await runCli([...args, '--json'], env, inTmp);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      const paths = pathsIn(JSON.parse(r.stdout) as unknown);
      for (const p of paths) assert.ok(isAbsolute(p), `${args.join(' ')} --json printed ${JSON.stringify(p)}`);
      seen.push(...paths);
      if (args[0] === 'location' && args[1] !== 'list') {
        const skipped = (JSON.parse(r.stdout) as { skipped: Array<{ path: string }> }).skipped.map((s) => s.path);
        assert.deepEqual(skipped, [join(tmp.path, 'tree', 'sub', 'pipe')], `${args.join(' ')}: the FIFO, by its absolute path`);
      }
    }
    assert.ok(seen.includes(join(tmp.path, 'libs', 'J.sdlibrary')) && seen.includes(join(tmp.path, 'tree', 'a.txt')), 'the check saw real paths');
  });
});
