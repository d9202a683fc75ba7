import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers.js';
import { allExamples, EXAMPLE_FILES, NOT_RUN_AT_MOST, runElsewhere } from '../support/doc-examples.js';
import { docPages } from '../support/readme.js';

/**
 * The README's and the guide's shell examples are all run (issue 58), by the test files of
 * test/guide/ (test/support/doc-examples.ts): every page is in one of them, a block left out says
 * why, and few are.
 */
describe('the examples of the README and the guide', () => {
  const examples = allExamples();

  it('every page is run by one test file of test/guide/, and each such file is there', () => {
    const pages = docPages().map((p) => p.path);
    const runs = Object.entries(EXAMPLE_FILES).flatMap(([file, ps]) => ps.map((p) => [p, file] as const));
    for (const page of pages) assert.equal(runs.filter(([p]) => p === page).length, 1, `${page} is in one of EXAMPLE_FILES`);
    for (const [page] of runs) assert.ok(pages.includes(page), `${page}, in EXAMPLE_FILES, is a page of the README or the guide`);
    for (const file of Object.keys(EXAMPLE_FILES)) assert.ok(existsSync(join(REPO, 'test', 'guide', `examples-${file}.test.ts`)), `test/guide/examples-${file}.test.ts runs ${file}'s pages`);
  });

  it(`leaves out at most ${NOT_RUN_AT_MOST} blocks, each with its reason`, (t) => {
    const notRun = examples.filter((e) => e.notRun !== undefined);
    for (const e of notRun) t.diagnostic(`not run: ${e.page}:${e.line}: ${e.notRun}`);
    for (const e of notRun) assert.ok(e.notRun!.length >= 20, `${e.page}:${e.line} says why it is not run, in words: ${JSON.stringify(e.notRun)}`);
    assert.ok(notRun.length <= NOT_RUN_AT_MOST, `${notRun.length} blocks not run: ${notRun.map((e) => `${e.page}:${e.line}`).join(', ')}`);
    assert.ok(examples.length - notRun.length >= 60, `${examples.length - notRun.length} blocks run`);
  });

  it('the first page\'s "Your first hour" is run by the browser test that walks it, and only it', () => {
    const elsewhere = examples.filter((e) => runElsewhere(e) !== undefined);
    assert.deepEqual([...new Set(elsewhere.map((e) => e.page))], ['README.md']);
    assert.ok(elsewhere.length >= 4, `${elsewhere.length} blocks`);
    const test = readFileSync(join(REPO, 'test', 'browser', 'ui-readme-first-hour.test.ts'), 'utf8');
    assert.match(test, /firstPage\(\)/, 'it reads the first page itself');
    for (const e of elsewhere) assert.equal(e.notRun, undefined, `${e.page}:${e.line} is run there, not left out`);
  });

  it('a placeholder stands for a word of its block, and a block in the background is not its page\'s last', () => {
    for (const e of examples) {
      for (const p of e.placeholders) assert.ok(new RegExp(`(?<![\\w])${p.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w])`).test(e.code), `${e.page}:${e.line}: \`${p.text}\` is in the block`);
    }
    for (const page of new Set(examples.map((e) => e.page))) {
      const run = examples.filter((e) => e.page === page && e.notRun === undefined);
      assert.ok(run.length === 0 || !run.at(-1)!.background, `${page}: its last block waits for nothing`);
    }
  });
});
