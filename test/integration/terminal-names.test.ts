import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

// A name that retitles the terminal (OSC 0 … BEL), clears it (CSI 2J) and splits its line, and one with a bidi override.
const HOSTILE = 'a\u001b]0;PWNED\u0007\u001b[2J\nb.txt';
const BIDI = 'invoice\u202egpj.exe';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

/**
 * Names reach a terminal escaped (issue 28, fault 9): `ls`, `content list`, `browse` and error
 * lines print no control character or bidi override raw, one line per entry; `--json` keeps the
 * name exact.
 */
describe('control characters in names never reach the terminal raw', () => {
  const tmp = tempDir('vss-term-');
  const tree = join(tmp.path, 'tree');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('ls, content list and browse escape them; --json keeps them', async () => {
    mkdirSync(tree);
    writeFileSync(join(tree, HOSTILE), 'x');
    writeFileSync(join(tree, BIDI), 'y');
    json(await runCli(['library', 'create', 'T', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'content', '--json'], env));
    for (const args of [['ls', '/tree'], ['content', 'list'], ['browse', tree]]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, RAW, `${args.join(' ')} printed a control character raw: ${JSON.stringify(r.stdout)}`);
      assert.ok(r.stdout.includes('PWNED') && r.stdout.includes('gpj.exe'), `${args.join(' ')} lists both names: ${r.stdout}`);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.filter((l) => l.includes('PWNED')).length, 1, 'the hostile name is one line');
      assert.ok(!lines.some((l) => l.startsWith('b.txt')), 'its newline did not start a line');
    }
    const asJson = json<Array<{ name: string }>>(await runCli(['ls', '/tree', '--json'], env));
    assert.deepEqual(asJson.map((e) => e.name).sort(), [HOSTILE, BIDI].sort(), '--json keeps names exact');
    const browsed = json<Array<{ name: string }>>(await runCli(['browse', tree, '--json'], env));
    assert.ok(browsed.some((e) => e.name === HOSTILE));
  });

  it('an error naming such a path is escaped too', async () => {
    const r = await runCli(['browse', join(tree, HOSTILE, 'missing')], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /vss: error/);
    assert.doesNotMatch(r.stderr.trimEnd(), RAW, JSON.stringify(r.stderr));
  });
});
