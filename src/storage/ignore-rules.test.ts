import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreRules, LEFTOVER_RULES } from './ignore-rules.js';
import { DEFAULT_IGNORE } from '../library/config.js';

describe('IgnoreRules', () => {
  it('skips the default noise at any depth but not look-alikes', () => {
    const rules = new IgnoreRules(DEFAULT_IGNORE);
    assert.equal(rules.ignores('.git', true), true);
    assert.equal(rules.ignores('a/b/node_modules', true), true);
    assert.equal(rules.ignores('x/.DS_Store', false), true);
    assert.equal(rules.ignores('Thumbs.db', false), true);
    assert.equal(rules.ignores('my.gitignore', false), false);
    assert.equal(rules.ignores('node_modules_backup', true), false);
  });

  it('ignores case, like gitignore matching through `ignore` does', () => {
    const rules = new IgnoreRules([...DEFAULT_IGNORE, '*.TMP']);
    assert.equal(rules.ignores('x/thumbs.db', false), true);
    assert.equal(rules.ignores('.ds_store', false), true);
    assert.equal(rules.ignores('Node_Modules', true), true);
    assert.equal(rules.ignores('a.tmp', false), true);
  });

  it('skips editor and system leftovers, and only them, as `ignore` would', () => {
    const fast = new IgnoreRules(LEFTOVER_RULES);
    // With a negation every rule goes through `ignore`: the two ways must agree.
    const exact = new IgnoreRules([...LEFTOVER_RULES, '!never-matches']);
    const cases: Array<[string, boolean]> = [
      ['.notes.txt.swp', true], ['a/b/X.SWP', true], ['draft.md~', true], ['~', true], ['Desktop.ini', true], ['movie.mp4.part', true],
      ['.vss-partial-0b6f', true], ['inbox/.vss-drop', true], ['a/.vss-tmp-IMG_1.jpg.3', true], ['.vssrc', false], ['vss-notes.txt', false],
      ['dl/setup.iso.CRDOWNLOAD', true], ['~$report.docx', true], ['x/~$', true], ['.DS_Store', true],
      ['swp', false], ['part.txt', false], ['tilde~not', false], ['x$report', false], ['~report', false], ['desktop.ini.bak', false],
    ];
    for (const [path, ignored] of cases) {
      for (const isDir of [false, true]) {
        assert.equal(fast.ignores(path, isDir), ignored, `${path} (${isDir ? 'folder' : 'file'})`);
        assert.equal(exact.ignores(path, isDir), ignored, `${path} (${isDir ? 'folder' : 'file'}, through ignore)`);
      }
    }
  });

  it('honours dir-only and glob rules', () => {
    const rules = new IgnoreRules(['cache/', '*.tmp']);
    assert.equal(rules.ignores('a/cache', true), true);
    assert.equal(rules.ignores('a/cache', false), false);
    assert.equal(rules.ignores('deep/x.tmp', false), true);
  });
});

describe('IgnoreRules with negations', () => {
  it('lets a negation re-include a name a plain rule would skip', () => {
    const rules = new IgnoreRules(['*.log', '!keep.log', 'build/']);
    assert.equal(rules.ignores('a/x.log', false), true);
    assert.equal(rules.ignores('a/keep.log', false), false);
    assert.equal(rules.ignores('sub/build', true), true);
    assert.equal(rules.ignores('sub/build', false), false);
  });

  it('matches anchored rules from the location root only', () => {
    const rules = new IgnoreRules(['/top-only', 'a/b']);
    assert.equal(rules.ignores('top-only', true), true);
    assert.equal(rules.ignores('x/top-only', true), false);
    assert.equal(rules.ignores('a/b', false), true);
    assert.equal(rules.ignores('z/a/b', false), false);
  });

  it('gives the same answers after its matcher is rebuilt', () => {
    const rules = new IgnoreRules(['*.tmp']);
    for (let i = 0; i < 25_000; i++) assert.equal(rules.ignores(`d${i % 7}/f${i}.tmp`, false), true);
    assert.equal(rules.ignores('f.txt', false), false);
  });
});
