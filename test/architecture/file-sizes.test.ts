import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './source-imports.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/** A file past this many lines is split by meaning (`../shared/notes/style.md`), unless listed below. */
const SPLIT_PAST = 400;
/** No file of src/ is longer than this, but one listed in UNTIL_SPLIT. */
const MOST_LINES = 600;
/** The allowlist holds at most this many files: past it, a file is split rather than listed. */
const MOST_LISTED = 12;

/**
 * The files of src/ (tests and `*.test-data.ts` aside) over SPLIT_PAST lines today, each until it
 * is split. The list only shrinks: a file that is split, or got down to SPLIT_PAST lines, is taken
 * off it (the check fails until it is), and a file that grows past SPLIT_PAST is split, not added.
 */
const ALLOWLIST: readonly string[] = [
  'api/remote/operations.ts',
  'guardian/guard.ts',
  'sidecars/reconcile.ts',
  'storage/bucket/s3-bucket.ts',
  'store/jobs.ts',
  'sync/messages/table.ts',
];

/** Files of the allowlist over MOST_LINES too, until their split (which takes them off this list as well). */
const UNTIL_SPLIT: readonly string[] = [];

/** Lines of TEXT as `wc -l` counts them. */
function lineCount(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/** Every file the rules hold (paths under src/, as the lists name them) with its lines. */
function sizes(): Map<string, number> {
  const files = sourceFiles(SRC).filter((f) => !f.endsWith('.test-data.ts'));
  return new Map(files.map((f) => [f, lineCount(readFileSync(join(SRC, f), 'utf8'))]));
}

/** What breaks the rules, in words: a file too long, a file over SPLIT_PAST not listed, a list entry that should go, a list too long. */
function findings(lines: ReadonlyMap<string, number>, allowed: readonly string[], untilSplit: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, n] of lines) {
    if (n > MOST_LINES && !untilSplit.includes(file)) out.push(`src/${file} has ${n} lines, more than ${MOST_LINES}: split it by meaning`);
    else if (n > SPLIT_PAST && !allowed.includes(file)) {
      out.push(`src/${file} has ${n} lines, more than ${SPLIT_PAST}: split it by meaning (a group of functions that is one concept goes to a module named for it), not into the allowlist`);
    }
  }
  for (const file of allowed) {
    const n = lines.get(file);
    if (n === undefined) out.push(`src/${file} is in the allowlist but is no longer there: take it off the list`);
    else if (n <= SPLIT_PAST) out.push(`src/${file} is in the allowlist but has ${n} lines now, not more than ${SPLIT_PAST}: take it off the list (it only shrinks)`);
  }
  for (const file of untilSplit) {
    const n = lines.get(file);
    if (!allowed.includes(file)) out.push(`src/${file} may be over ${MOST_LINES} lines only while it is in the allowlist too`);
    if (n === undefined || n <= MOST_LINES) out.push(`src/${file} may be over ${MOST_LINES} lines until it is split, and has ${n ?? 'no'} lines now: take it off that list`);
  }
  if (allowed.length > MOST_LISTED) out.push(`the allowlist holds ${allowed.length} files, more than ${MOST_LISTED}: split one rather than list it`);
  return out;
}

describe('files of src/ stay a size one reads (issue 57)', () => {
  it(`no file is over ${MOST_LINES} lines, none over ${SPLIT_PAST} outside the allowlist, and the allowlist only shrinks`, () => {
    const found = findings(sizes(), ALLOWLIST, UNTIL_SPLIT);
    assert.deepEqual(found, [], `file sizes (test/architecture/file-sizes.test.ts):\n  ${found.join('\n  ')}`);
  });
});

describe('the size check itself', () => {
  const lines = new Map([['a.ts', 120], ['b.ts', 401], ['c.ts', 600], ['d.ts', 601]]);

  it('counts lines as wc -l does', () => {
    assert.equal(lineCount(''), 0);
    assert.equal(lineCount('one'), 0);
    assert.equal(lineCount('one\ntwo\n'), 2);
    assert.equal(lineCount('\n\n\n'), 3);
  });

  it('fails on a file over 600 lines, listed or not, unless it waits for its split', () => {
    assert.match(findings(lines, ['b.ts', 'c.ts'], []).join('\n'), /src\/d\.ts has 601 lines, more than 600/);
    assert.match(findings(lines, ['b.ts', 'c.ts', 'd.ts'], []).join('\n'), /src\/d\.ts has 601 lines, more than 600/);
    assert.deepEqual(findings(lines, ['b.ts', 'c.ts', 'd.ts'], ['d.ts']), []);
  });

  it('fails on a file over 400 lines that is not in the allowlist', () => {
    assert.deepEqual(findings(lines, ['c.ts', 'd.ts'], ['d.ts']), [
      'src/b.ts has 401 lines, more than 400: split it by meaning (a group of functions that is one concept goes to a module named for it), not into the allowlist',
    ]);
  });

  it('fails on an allowlist entry whose file is 400 lines or fewer, or gone: the list only shrinks', () => {
    assert.deepEqual(findings(lines, ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'], ['d.ts']), [
      'src/a.ts is in the allowlist but has 120 lines now, not more than 400: take it off the list (it only shrinks)',
      'src/e.ts is in the allowlist but is no longer there: take it off the list',
    ]);
    assert.match(findings(new Map([['d.ts', 590]]), ['d.ts'], ['d.ts']).join('\n'), /src\/d\.ts may be over 600 lines until it is split, and has 590 lines now/);
    assert.match(findings(lines, ['b.ts', 'c.ts'], ['d.ts']).join('\n'), /src\/d\.ts may be over 600 lines only while it is in the allowlist too/);
  });

  it(`fails on an allowlist of more than ${MOST_LISTED} files`, () => {
    const many = new Map(Array.from({ length: MOST_LISTED + 1 }, (_, i) => [`f${i}.ts`, 450] as const));
    assert.deepEqual(findings(many, [...many.keys()].slice(0, MOST_LISTED), []), ['src/f12.ts has 450 lines, more than 400: split it by meaning (a group of functions that is one concept goes to a module named for it), not into the allowlist']);
    assert.deepEqual(findings(many, [...many.keys()], []), [`the allowlist holds ${MOST_LISTED + 1} files, more than ${MOST_LISTED}: split one rather than list it`]);
  });

  it('holds the lists to the rules themselves', () => {
    assert.ok(ALLOWLIST.length <= MOST_LISTED, `the allowlist holds ${ALLOWLIST.length} files`);
    assert.deepEqual([...ALLOWLIST].sort(), [...ALLOWLIST], 'the allowlist is in path order');
    for (const f of UNTIL_SPLIT) assert.ok(ALLOWLIST.includes(f), `${f} is in the allowlist`);
  });
});
