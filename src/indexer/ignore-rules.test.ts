import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreRules } from './ignore-rules.js';
import { SeenSet } from './seen-set.js';
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

  it('honours dir-only and glob rules', () => {
    const rules = new IgnoreRules(['cache/', '*.tmp']);
    assert.equal(rules.ignores('a/cache', true), true);
    assert.equal(rules.ignores('a/cache', false), false);
    assert.equal(rules.ignores('deep/x.tmp', false), true);
  });
});

describe('SeenSet', () => {
  it('grows and remembers ids', () => {
    const s = new SeenSet();
    for (const id of [1, 31, 32, 5000, 1_000_003]) s.add(id);
    for (const id of [1, 31, 32, 5000, 1_000_003]) assert.equal(s.has(id), true);
    for (const id of [0, 2, 33, 4999, 1_000_002, 9_999_999]) assert.equal(s.has(id), false);
  });
});
